//! The JSON body extractor: checks the content type, reads the body within the size limit
//! and parses it, giving each failure its own answer (415, 413, 400 for syntax, 422 for
//! shape with a JSON pointer).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use mediation_solver::validate::{parse_problem, InputError, Validated};
use serde::de::DeserializeOwned;

use super::error::{ApiError, IssueView};

/// A parsed JSON body and the bytes it came from (hashed for idempotency).
pub struct JsonBody<T> {
    pub value: T,
    pub bytes: Bytes,
}

pub(crate) fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(is_json);
        if !json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let limit = req.extensions().get::<BodyLimit>().map_or(0, |l| l.0);
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::BodyTooLarge { limit }
            } else {
                ApiError::BadBody {
                    pointer: String::new(),
                    message: "the body could not be read".into(),
                }
            }
        })?;
        let value = parse_json(&bytes)?;
        Ok(JsonBody { value, bytes })
    }
}

/// The configured body limit, put in request extensions so errors can name it.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// Parses JSON bytes: a syntax error is 400 `malformed_json`, a value of the wrong shape is
/// 422 `bad_body` with the JSON pointer of the offending field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let pointer = pointer_of(e.path());
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::MalformedJson {
                line: inner.line(),
                column: inner.column(),
                message: inner.to_string(),
            }
        } else {
            ApiError::BadBody {
                pointer,
                message: inner.to_string(),
            }
        }
    })?;
    de.end().map_err(|e| ApiError::MalformedJson {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    Ok(value)
}

/// `serde_path_to_error`'s path as an RFC 6901 JSON pointer.
fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        out.push('/');
        match segment {
            Segment::Seq { index } => out.push_str(&index.to_string()),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                out.push_str(&key.replace('~', "~0").replace('/', "~1"))
            }
            Segment::Unknown => out.push('?'),
        }
    }
    out
}

/// A problem document's errors as the API reports them: a document of the wrong shape is
/// `problem_malformed` with its pointer, a document that fails validation is
/// `invalid_problem` listing every error and warning; pointers start at `prefix`.
pub fn input_error(e: InputError, prefix: &str) -> ApiError {
    match e {
        InputError::Malformed { path, message, .. } => ApiError::ProblemMalformed {
            pointer: format!("{prefix}{path}"),
            message,
        },
        InputError::Invalid { errors, warnings } => ApiError::InvalidProblem {
            errors: errors.iter().map(|i| IssueView::of(i, prefix)).collect(),
            warnings: warnings.iter().map(|i| IssueView::of(i, prefix)).collect(),
        },
    }
}

/// Parses and validates the problem found at `/problem` of a request body, every error
/// listed.
pub fn problem_from(raw: &serde_json::value::RawValue) -> Result<Validated, ApiError> {
    require_object(raw, "/problem")?;
    parse_problem(raw.get()).map_err(|e| input_error(e, "/problem"))
}

/// Refuses a document at `pointer` that is not a JSON object (422 `bad_body`): serde would
/// otherwise read a struct from an array of its fields in order.
pub fn require_object(raw: &serde_json::value::RawValue, pointer: &str) -> Result<(), ApiError> {
    if raw.get().trim_start().starts_with('{') {
        Ok(())
    } else {
        Err(ApiError::BadBody {
            pointer: pointer.to_string(),
            message: "must be a JSON object".into(),
        })
    }
}

/// `deserialize_with` for a struct field that must be a JSON object, not an array of the
/// struct's fields; the inner paths stay intact for the error's pointer.
pub fn object<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    struct Visit<T>(std::marker::PhantomData<T>);
    impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for Visit<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
        }
    }
    deserializer.deserialize_map(Visit(std::marker::PhantomData))
}

/// The OpenAPI shape of request documents, deep enough that a schema validator refuses
/// what the server refuses for its shape (docs/input-format.md, docs/what-if.md).
pub mod schema {
    use utoipa::openapi::schema::{
        AdditionalProperties, ArrayBuilder, ArrayItems, Object, ObjectBuilder, SchemaType, Type,
    };

    fn obj() -> ObjectBuilder {
        ObjectBuilder::new().schema_type(Type::Object)
    }

    fn string() -> Object {
        ObjectBuilder::new().schema_type(Type::String).build()
    }

    fn array_of(items: Object) -> ArrayBuilder {
        ArrayBuilder::new().items(ArrayItems::from(items))
    }

    fn or_null(kind: Type) -> SchemaType {
        [kind, Type::Null].into_iter().collect()
    }

    fn closed(builder: ObjectBuilder) -> ObjectBuilder {
        builder.additional_properties(Some(AdditionalProperties::FreeForm(false)))
    }

    /// The problem document: an object with `horizon`, `mediators`, `venues` and `cases`
    /// (the fields the parser requires) and no unknown field.
    pub fn problem() -> Object {
        let optional_array = || array_of(obj().build()).build();
        closed(obj())
            .description(Some(
                "The problem document, exactly as the command line reads it \
                 (docs/input-format.md)",
            ))
            .property(
                "horizon",
                closed(obj())
                    .property("start", string())
                    .property("end", string())
                    .property("publication_date", string())
                    .required("start")
                    .required("end")
                    .required("publication_date"),
            )
            .property(
                "time_zone",
                ObjectBuilder::new().schema_type(or_null(Type::String)),
            )
            .property(
                "session_templates",
                array_of(obj().build()).schema_type(or_null(Type::Array)),
            )
            .property(
                "bank_holidays",
                array_of(string()).schema_type(or_null(Type::Array)),
            )
            .property(
                "areas",
                array_of(obj().build()).schema_type(or_null(Type::Array)),
            )
            .property(
                "covered_las",
                array_of(string()).schema_type(or_null(Type::Array)),
            )
            .property("travel", obj())
            .property("mediators", optional_array())
            .property("interpreters", optional_array())
            .property("venues", optional_array())
            .property("cases", optional_array())
            .required("horizon")
            .required("mediators")
            .required("venues")
            .required("cases")
            .build()
    }

    /// `/v1/validate` reports every issue of any object as a problem (200, `valid: false`),
    /// so its problem is only required to be an object.
    pub fn any_problem() -> Object {
        obj()
            .description(Some(
                "The problem document (docs/input-format.md); any object is reported on",
            ))
            .build()
    }

    /// A roster as the solver or the command line writes it.
    pub fn roster() -> Object {
        obj()
            .description(Some(
                "A roster as `POST /v1/rosters/solve` or the command line gives it",
            ))
            .property("meetings", array_of(obj().build()))
            .property("unscheduled", array_of(obj().build()))
            .property("carried_over", array_of(obj().build()))
            .required("meetings")
            .build()
    }

    /// The what-if document with its base problem inline.
    pub fn what_if() -> Object {
        closed(obj())
            .description(Some(
                "`{ \"base\": <problem>, \"scenarios\": [ { \"name\", \"changes\": [...] } ] }` \
                 (docs/what-if.md); the base must be inline",
            ))
            .property("base", problem())
            .property(
                "scenarios",
                array_of(
                    closed(obj())
                        .property("name", string())
                        .property(
                            "description",
                            ObjectBuilder::new().schema_type(or_null(Type::String)),
                        )
                        .property("changes", array_of(obj().build()))
                        .required("name")
                        .required("changes")
                        .build(),
                ),
            )
            .required("base")
            .required("scenarios")
            .build()
    }
}
