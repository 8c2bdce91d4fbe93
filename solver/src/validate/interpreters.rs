//! Interpreters: ids, languages and availability.

use std::collections::HashMap;

use super::{collect_all, index_ids, normalise_languages, Code, Ctx, IdRule, Report};
use crate::input::InterpreterInput;
use crate::model;

pub(super) fn build_interpreters(
    ctx: &Ctx,
    input: &[InterpreterInput],
    r: &mut Report,
) -> (Option<Vec<model::Interpreter>>, HashMap<String, usize>) {
    let rule = IdRule {
        collection: "interpreters",
        field: "id",
        noun: "interpreter",
        empty_code: Code::E1303,
        duplicate_code: Code::E1301,
    };
    let index = index_ids(input.iter().map(|i| i.id.as_str()), &rule, r);
    let built = input
        .iter()
        .enumerate()
        .map(|(i, interpreter)| Some(build_interpreter(ctx, i, interpreter, r)))
        .collect();
    (collect_all(built), index)
}

fn build_interpreter(
    ctx: &Ctx,
    i: usize,
    input: &InterpreterInput,
    r: &mut Report,
) -> model::Interpreter {
    let path = format!("/interpreters/{i}");
    let languages = normalise_languages(&input.languages);
    if languages.is_empty() {
        r.add(
            Code::E1302,
            format!("{path}/languages"),
            format!(
                "interpreter \"{}\" has no language besides English",
                input.id
            ),
            "List the languages interpreted, e.g. [\"BSL\"] or [\"Polish\"].",
        );
    }
    let availability = ctx.availability(&input.availability, &format!("{path}/availability"), r);
    if ctx.is_never_free(&availability) {
        r.add(
            Code::W2301,
            format!("{path}/availability"),
            format!(
                "interpreter \"{}\" is never available in the horizon",
                input.id
            ),
            "Add available days inside the horizon, or leave the interpreter out.",
        );
    }
    model::Interpreter {
        id: input.id.clone(),
        languages,
        availability,
    }
}
