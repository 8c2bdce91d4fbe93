//! How an [`AvailabilityInput`] becomes one bitmask per horizon day (bit `t` set: template
//! `t` is free):
//! 1. With no `available` list every template of every day is free. With one, everything
//!    starts blocked and each listed day is opened: a day without `sessions` is wholly free;
//!    otherwise a template is free if its id is listed (on any entry for that date), or if it
//!    is a full-day template and every half-day template overlapping it is listed (AM + PM
//!    listed ⇒ FULL free; a full-day template overlapping no half-day one needs its own id).
//! 2. Each `unavailable` entry then blocks: without `sessions`, the whole day; otherwise every
//!    template whose time overlaps a listed template (PM unavailable ⇒ FULL blocked too).
//! 3. Entries dated outside the horizon are ignored, with one W2002 warning per list.
//!    Unknown session ids are errors (E1011) wherever the entry is dated.

use super::{Code, Ctx, Report};
use crate::input::{AvailabilityInput, DaySessions};
use crate::model::{self, Availability};

/// Session templates are bits of a `u32`.
const MASK_BITS: usize = 32;

/// What availability entries name on one horizon day.
#[derive(Debug, Clone, Copy, Default)]
struct DayListing {
    /// An entry without sessions: the whole day.
    whole: bool,
    /// Templates listed by id.
    sessions: u32,
}

impl Ctx {
    /// Expands availability as described in the module docs.
    pub(super) fn availability(
        &self,
        input: &AvailabilityInput,
        path: &str,
        r: &mut Report,
    ) -> Availability {
        let all = self.all_templates();
        let days = self.horizon.days.len();
        let mut free = match &input.available {
            None => vec![all; days],
            Some(available) => {
                let listed = self.day_listings(available, &format!("{path}/available"), r);
                listed
                    .iter()
                    .map(|day| match day.whole {
                        true => all,
                        false => self.expand_available(day.sessions),
                    })
                    .collect()
            }
        };
        let blocked = self.day_listings(&input.unavailable, &format!("{path}/unavailable"), r);
        for (mask, day) in free.iter_mut().zip(&blocked) {
            *mask &= !match day.whole {
                true => all,
                false => self.expand_blocked(day.sessions),
            };
        }
        Availability { free }
    }

    /// Bit of the template with this id, if it exists and fits the mask.
    fn template_bit(&self, id: &str) -> Option<u32> {
        let &t = self.template_index.get(id)?;
        (t < MASK_BITS).then(|| 1u32 << t)
    }

    fn mask_templates(&self) -> impl Iterator<Item = (usize, &model::SessionTemplate)> {
        self.templates.iter().enumerate().take(MASK_BITS)
    }

    fn all_templates(&self) -> u32 {
        let n = self.templates.len().min(MASK_BITS);
        Availability::always(1, n)
            .free
            .first()
            .copied()
            .unwrap_or(0)
    }

    /// Listed templates plus each full-day template whose overlapping half-days are all listed.
    fn expand_available(&self, listed: u32) -> u32 {
        let mut free = listed;
        for (t, template) in self.mask_templates().filter(|(_, t)| t.full_day) {
            let mut halves = self
                .mask_templates()
                .filter(|(_, h)| !h.full_day && h.overlaps(template))
                .peekable();
            let has_halves = halves.peek().is_some();
            if has_halves && halves.all(|(h, _)| listed & (1 << h) != 0) {
                free |= 1 << t;
            }
        }
        free
    }

    /// Listed templates plus every template overlapping one of them.
    fn expand_blocked(&self, listed: u32) -> u32 {
        let listed_templates: Vec<&model::SessionTemplate> = self
            .mask_templates()
            .filter(|(t, _)| listed & (1 << t) != 0)
            .map(|(_, template)| template)
            .collect();
        self.mask_templates()
            .filter(|(t, template)| {
                listed & (1 << t) != 0 || listed_templates.iter().any(|l| l.overlaps(template))
            })
            .fold(0, |mask, (t, _)| mask | (1 << t))
    }

    /// What a list of entries names on each horizon day. Reports unknown session ids
    /// (E1011) and, once per list, entries outside the horizon (W2002).
    fn day_listings(&self, entries: &[DaySessions], path: &str, r: &mut Report) -> Vec<DayListing> {
        let mut days = vec![DayListing::default(); self.horizon.days.len()];
        let mut outside = Vec::new();
        for (k, entry) in entries.iter().enumerate() {
            let sessions = self.session_mask(entry, &format!("{path}/{k}"), r);
            match self
                .horizon
                .day_index(entry.date)
                .and_then(|d| days.get_mut(d))
            {
                Some(day) => {
                    day.whole |= entry.sessions.is_none();
                    day.sessions |= sessions;
                }
                None => outside.push((k, entry.date)),
            }
        }
        if let (true, Some(&(k, date))) = (self.horizon_ok, outside.first()) {
            r.add(
                Code::W2002,
                format!("{path}/{k}/date"),
                format!(
                    "{} availability entr{} outside the horizon {} to {} (first: {date}) {} ignored",
                    outside.len(),
                    if outside.len() == 1 { "y" } else { "ies" },
                    self.horizon.start,
                    self.horizon.end,
                    if outside.len() == 1 { "is" } else { "are" },
                ),
                "Nothing to do if this is a longer calendar; otherwise check the dates.",
            );
        }
        days
    }

    fn session_mask(&self, entry: &DaySessions, path: &str, r: &mut Report) -> u32 {
        let Some(sessions) = &entry.sessions else {
            return 0;
        };
        let mut mask = 0;
        for (j, id) in sessions.iter().enumerate() {
            match self.template_index.contains_key(id) {
                true => mask |= self.template_bit(id).unwrap_or(0),
                false => r.add(
                    Code::E1011,
                    format!("{path}/sessions/{j}"),
                    format!("session \"{id}\" on {} is not a session template id", entry.date),
                    format!(
                        "Use one of the session template ids: {}; or leave sessions out to mean the whole day.",
                        self.template_ids()
                    ),
                ),
            }
        }
        mask
    }

    fn template_ids(&self) -> String {
        let ids: Vec<&str> = self.templates.iter().map(|t| t.id.as_str()).collect();
        ids.join(", ")
    }
}
