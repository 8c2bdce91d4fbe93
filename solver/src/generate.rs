//! A seeded, realistic instance generator for tests, benchmarks and fixtures.
//!
//! [`generate`] is pure: the same [`GenerateParams`] (seed included) give the same
//! [`ProblemInput`] on every machine. It uses `ChaCha8Rng`, whose stream is portable, and
//! never iterates a hash map.
//!
//! The distributions: families, mediators and venues are placed in the
//! 45 default areas ([`crate::validate::default_area_rows`]) in proportion to population;
//! most statutory deadlines fall in or after the horizon, with some urgent and a few overdue
//! cases; some mediators are part-time, some have declared conflicts or a former LA
//! employer, and a few have a credential lapsing around the horizon.

use chrono::{Datelike, Days, NaiveDate};
use rand::distributions::WeightedIndex;
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;

use crate::calendar::Calendar;
use crate::geo;
use crate::input::{
    AvailabilityInput, CaseInput, ConflictInput, ConflictKind, DaySessions, Duration, HealthInput,
    HorizonInput, InterpreterInput, MediatorInput, Mode, NeedsInput, PartyInput, PartyRole,
    ProblemInput, TravelConfig, VenueInput,
};

/// Session template ids of the default templates.
const AM: &str = "AM";
const PM: &str = "PM";

/// Languages other than English and BSL that families need and mediators speak.
const OTHER_LANGUAGES: [&str; 5] = ["Polish", "Bengali", "Somali", "Turkish", "Urdu"];

const FIRST_NAMES: [&str; 32] = [
    "Aisha", "Alan", "Amara", "Bernard", "Bridget", "Chloe", "Colin", "Deepa", "Derek", "Eleanor",
    "Fatima", "Gareth", "Helen", "Imran", "Joanna", "Kwame", "Lorna", "Malcolm", "Nadia", "Oliver",
    "Priya", "Rachel", "Rhys", "Sandra", "Simon", "Tariq", "Ursula", "Vikram", "Wendy", "Yusuf",
    "Zofia", "Graham",
];

const LAST_NAMES: [&str; 30] = [
    "Adeyemi",
    "Ashworth",
    "Bainbridge",
    "Chowdhury",
    "Costa",
    "Dalton",
    "Ellis",
    "Fairbairn",
    "Gallagher",
    "Hartley",
    "Iqbal",
    "Jennings",
    "Kowalski",
    "Lindqvist",
    "McAllister",
    "Nwosu",
    "Okafor",
    "Pemberton",
    "Quinlan",
    "Rahman",
    "Sullivan",
    "Thornton",
    "Underwood",
    "Varga",
    "Whitfield",
    "Yilmaz",
    "Zielinski",
    "Osei",
    "Mensah",
    "Brennan",
];

/// Venue kinds: name suffix, council-run (cheap), cost range in pounds.
const VENUE_KINDS: [(&str, bool, u32, u32); 6] = [
    ("Family Centre", false, 20, 80),
    ("Civic Centre", true, 0, 40),
    ("Library meeting rooms", true, 0, 30),
    ("Community Hall", false, 30, 90),
    ("Town Hall", true, 0, 40),
    ("Conference Centre", false, 80, 150),
];

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateParams {
    pub cases: usize,
    pub mediators: usize,
    pub venues: usize,
    pub seed: u64,
    /// First day of the horizon; a Monday.
    pub start: NaiveDate,
    /// Whole weeks in the horizon; it ends on the Friday of the last week.
    pub weeks: u32,
    /// The day the roster is published.
    pub publication_date: NaiveDate,
}

impl GenerateParams {
    /// One week: Mon 7 Dec – Fri 11 Dec 2026, published Mon 30 Nov 2026.
    pub fn week(cases: usize, mediators: usize, venues: usize, seed: u64) -> Self {
        Self {
            cases,
            mediators,
            venues,
            seed,
            start: date(2026, 12, 7),
            weeks: 1,
            publication_date: date(2026, 11, 30),
        }
    }

    /// Last day of the horizon: the Friday of the last week.
    pub fn end(&self) -> NaiveDate {
        let days = (7 * u64::from(self.weeks.max(1))).saturating_sub(3);
        self.start + Days::new(days)
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid constant date")
}

/// One of the default areas ([`crate::validate::default_area_rows`]).
#[derive(Debug, Clone)]
struct Area {
    name: String,
    group: String,
    la_code: String,
    gss_code: String,
    lat: f64,
    lon: f64,
    population: u64,
}

/// The default areas, read by the validator's parser (the one reader of the areas file).
fn load_areas() -> Vec<Area> {
    crate::validate::default_area_rows()
        .into_iter()
        .map(|row| Area {
            name: row.area.name,
            group: row.group,
            la_code: row.area.la_code,
            gss_code: row.area.gss_code,
            lat: row.area.lat,
            lon: row.area.lon,
            population: row.area.population,
        })
        .collect()
}

/// The NHS Integrated Care Board covering an area.
fn icb_for(area: &Area) -> &'static str {
    match area.group.as_str() {
        "hertfordshire" => "QM7",     // Hertfordshire and West Essex
        "luton" | "bedford" => "QHG", // Bedfordshire, Luton and Milton Keynes
        _ => match area.name.as_str() {
            "Barnet" | "Camden" | "Enfield" | "Haringey" | "Islington" => "QMJ",
            "Brent"
            | "Ealing"
            | "Hammersmith and Fulham"
            | "Harrow"
            | "Hillingdon"
            | "Hounslow"
            | "Kensington and Chelsea"
            | "Westminster" => "QRV",
            "Bexley" | "Bromley" | "Greenwich" | "Lambeth" | "Lewisham" | "Southwark" => "QKK",
            "Croydon"
            | "Kingston upon Thames"
            | "Merton"
            | "Richmond upon Thames"
            | "Sutton"
            | "Wandsworth" => "QWE",
            // Barking and Dagenham, City of London, Hackney, Havering, Newham, Redbridge,
            // Tower Hamlets, Waltham Forest.
            _ => "QMF",
        },
    }
}

fn km(a: &Area, lat: f64, lon: f64) -> f64 {
    geo::straight_line_km(a.lat, a.lon, lat, lon)
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

struct Gen {
    rng: ChaCha8Rng,
    areas: Vec<Area>,
    by_population: WeightedIndex<u64>,
    start: NaiveDate,
    /// Working days of the horizon, in order.
    working_days: Vec<NaiveDate>,
}

impl Gen {
    fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p.clamp(0.0, 1.0))
    }

    fn area_by_population(&mut self) -> usize {
        self.by_population.sample(&mut self.rng)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.gen_range(0..items.len())]
    }

    /// A party's availability: every working day is either a day off (probability
    /// `day_off`) or has each half-day session free with probability `session_free`.
    fn party_availability(&mut self, day_off: f64, session_free: f64) -> AvailabilityInput {
        let mut unavailable = Vec::new();
        for day in self.working_days.clone() {
            if self.chance(day_off) {
                unavailable.push(whole_day(day));
                continue;
            }
            let am = self.chance(session_free);
            let pm = self.chance(session_free);
            match (am, pm) {
                (true, true) => {}
                (false, false) => unavailable.push(whole_day(day)),
                (false, true) => unavailable.push(session(day, AM)),
                (true, false) => unavailable.push(session(day, PM)),
            }
        }
        // A required party must be free at least once in the horizon (else the input is
        // invalid): give back one whole day when every day was taken.
        let whole_days_off = unavailable.iter().filter(|d| d.sessions.is_none()).count();
        if !unavailable.is_empty() && whole_days_off == self.working_days.len() {
            let i = self.rng.gen_range(0..unavailable.len());
            unavailable.remove(i);
        }
        AvailabilityInput {
            available: None,
            unavailable,
        }
    }

    /// An `available` list: each working day open with probability `p_day`, mostly whole
    /// days, sometimes a single half day; never empty when the horizon has a working day.
    fn listed_availability(&mut self, p_day: f64, p_half: f64) -> Vec<DaySessions> {
        let mut available = Vec::new();
        for day in self.working_days.clone() {
            if !self.chance(p_day) {
                continue;
            }
            if self.chance(p_half) {
                let s = if self.chance(0.5) { AM } else { PM };
                available.push(session(day, s));
            } else {
                available.push(whole_day(day));
            }
        }
        if available.is_empty() && !self.working_days.is_empty() {
            let day = *self.pick(&self.working_days.clone());
            available.push(whole_day(day));
        }
        available
    }

    fn offset(&self, days: i64) -> NaiveDate {
        if days >= 0 {
            self.start + Days::new(days as u64)
        } else {
            self.start - Days::new(days.unsigned_abs())
        }
    }
}

fn whole_day(date: NaiveDate) -> DaySessions {
    DaySessions {
        date,
        sessions: None,
    }
}

fn session(date: NaiveDate, id: &str) -> DaySessions {
    DaySessions {
        date,
        sessions: Some(vec![id.to_string()]),
    }
}

/// Generates a realistic problem. Deterministic in `params` (seed included).
pub fn generate(params: &GenerateParams) -> ProblemInput {
    let areas = load_areas();
    let by_population = WeightedIndex::new(areas.iter().map(|a| a.population))
        .expect("the default areas have positive populations (a unit test checks it)");
    let calendar = Calendar::england_and_wales();
    let end = params.end();
    let working_days: Vec<NaiveDate> = params
        .start
        .iter_days()
        .take_while(|d| *d <= end)
        .filter(|d| calendar.is_working_day(*d))
        .collect();
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(params.seed),
        areas,
        by_population,
        start: params.start,
        working_days,
    };

    let cases = generate_cases(&mut g, params.cases);
    let mut mediators = generate_mediators(&mut g, params.mediators, &cases);
    ensure_coverage(&g, &mut mediators, &cases);
    let interpreters = generate_interpreters(&mut g, &cases);
    let venues = generate_venues(&mut g, params.venues, &cases);

    ProblemInput {
        horizon: HorizonInput {
            start: params.start,
            end,
            publication_date: params.publication_date,
        },
        time_zone: Some("Europe/London".to_string()),
        session_templates: None,
        bank_holidays: None,
        areas: None,
        covered_las: None,
        travel: TravelConfig::default(),
        mediators,
        interpreters,
        venues,
        cases,
    }
}

fn generate_cases(g: &mut Gen, count: usize) -> Vec<CaseInput> {
    let mut number: u32 = g.rng.gen_range(100..400);
    let mut cases = Vec::with_capacity(count);
    for _ in 0..count {
        number += g.rng.gen_range(1..=9);
        let area_idx = g.area_by_population();
        let area = g.areas[area_idx].clone();

        // Day 30 is clock_start + 30: normally 2–22 days into the horizon; urgent cases hit
        // day 30 between two days before the horizon and its fourth day.
        let back: i64 = if g.chance(0.15) {
            g.rng.gen_range(27..=32)
        } else {
            g.rng.gen_range(8..=28)
        };
        let clock_start = g.offset(-back);

        let school = g
            .chance(0.70)
            .then(|| format!("URN1{:05}", g.rng.gen_range(0..100_000)));
        let health = g.chance(0.12).then(|| HealthInput {
            icb: icb_for(&area).to_string(),
        });

        let mut parties = Vec::new();
        let family_role = if g.chance(0.05) {
            PartyRole::YoungPerson
        } else {
            PartyRole::Parent
        };
        parties.push(PartyInput {
            role: family_role,
            required: true,
            availability: g.party_availability(0.12, 0.95),
        });
        parties.push(PartyInput {
            role: PartyRole::La,
            required: true,
            availability: g.party_availability(0.05, 0.72),
        });
        if school.is_some() {
            let required = g.chance(0.5);
            parties.push(PartyInput {
                role: PartyRole::School,
                required,
                availability: g.party_availability(0.05, 0.8),
            });
        }
        if health.is_some() {
            parties.push(PartyInput {
                role: PartyRole::Icb,
                required: true,
                availability: g.party_availability(0.1, 0.7),
            });
        }
        if g.chance(0.30) {
            parties.push(PartyInput {
                role: PartyRole::Supporter,
                required: false,
                availability: g.party_availability(0.2, 0.9),
            });
        }

        let roll: f64 = g.rng.gen();
        let preferred_mode = if roll < 0.65 {
            Mode::InPerson
        } else if roll < 0.95 {
            Mode::Video
        } else {
            Mode::Phone
        };
        let accepted_modes = match preferred_mode {
            Mode::InPerson => {
                // About 10% of all cases (15% of in-person ones) accept nothing else.
                if g.chance(0.15) {
                    vec![]
                } else if g.chance(0.25) {
                    vec![Mode::Video, Mode::Phone]
                } else {
                    vec![Mode::Video]
                }
            }
            Mode::Video => {
                let mut m = Vec::new();
                if g.chance(0.6) {
                    m.push(Mode::InPerson);
                }
                if g.chance(0.2) {
                    m.push(Mode::Phone);
                }
                m
            }
            Mode::Phone => vec![Mode::Video],
        };

        let rooms_roll: f64 = g.rng.gen();
        let rooms = if rooms_roll < 0.2 {
            1
        } else if rooms_roll < 0.8 {
            2
        } else {
            3
        };
        let lang_roll: f64 = g.rng.gen();
        let language = if lang_roll < 0.03 {
            Some("BSL".to_string())
        } else if lang_roll < 0.06 {
            Some(g.pick(&OTHER_LANGUAGES).to_string())
        } else {
            None
        };
        let needs = NeedsInput {
            rooms,
            step_free: g.chance(0.08),
            hearing_loop: g.chance(0.04),
            language,
        };
        let duration = if g.chance(0.05) {
            Duration::FullDay
        } else {
            Duration::HalfDay
        };
        let short_notice_ok = g.chance(0.20);
        let preferred_areas = if g.chance(0.10) {
            vec![area.gss_code.clone()]
        } else {
            vec![]
        };

        cases.push(CaseInput {
            reference: format!("SEN-{}-{number:04}", clock_start.year()),
            la: area.la_code.clone(),
            family_area: area.gss_code.clone(),
            school,
            clock_start,
            health,
            parties,
            preferred_mode,
            accepted_modes,
            needs,
            duration,
            short_notice_ok,
            preferred_areas,
            preferred_venues: vec![],
        });
    }
    cases
}

/// Distinct LA codes ordered by the distance of their nearest area from `home`, the home
/// LA first.
fn las_by_distance(areas: &[Area], home: usize) -> Vec<String> {
    let h = &areas[home];
    let mut order: Vec<(f64, usize)> = areas
        .iter()
        .enumerate()
        .map(|(i, a)| (km(h, a.lat, a.lon), i))
        .collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut las: Vec<String> = Vec::new();
    for (_, i) in order {
        let la = &areas[i].la_code;
        if !las.contains(la) {
            las.push(la.clone());
        }
    }
    las
}

fn generate_mediators(g: &mut Gen, count: usize, cases: &[CaseInput]) -> Vec<MediatorInput> {
    let mut used_names: Vec<String> = Vec::new();
    let mut mediators = Vec::with_capacity(count);
    for i in 0..count {
        let mut name = String::new();
        for _ in 0..20 {
            name = format!("{} {}", g.pick(&FIRST_NAMES), g.pick(&LAST_NAMES));
            if !used_names.contains(&name) {
                break;
            }
        }
        used_names.push(name.clone());

        let home = g.area_by_population();
        let nearby = las_by_distance(&g.areas, home);
        let extra = g.rng.gen_range(2..=6);
        let covers: Vec<String> = nearby.iter().take(1 + extra).cloned().collect();

        let part_time = g.chance(0.5);
        let max_sessions_per_week = if part_time {
            g.rng.gen_range(1..=3)
        } else {
            g.rng.gen_range(4..=8)
        };
        let max_sessions_per_day = if g.chance(0.8) { 2 } else { 1 };

        // Credentials valid for months to come; ~8% have one lapsing just before or
        // during the horizon.
        let mut expiries = [g.start; 4];
        for e in &mut expiries {
            let days = g.rng.gen_range(60..=700);
            *e = g.offset(days);
        }
        if g.chance(0.08) {
            let which = g.rng.gen_range(0..4);
            let span = g.working_days.len().max(1) as i64 + 2;
            let days = g.rng.gen_range(-5..span);
            expiries[which] = g.offset(days);
        }

        let mut languages = Vec::new();
        if g.chance(0.10) {
            languages.push("BSL".to_string());
        }
        if g.chance(0.15) {
            languages.push(g.pick(&OTHER_LANGUAGES).to_string());
        }

        let available = if part_time {
            g.listed_availability(0.45, 0.4)
        } else {
            g.listed_availability(0.85, 0.2)
        };
        let mut unavailable = Vec::new();
        for a in &available {
            if a.sessions.is_none() && g.chance(0.08) {
                let s = if g.chance(0.5) { AM } else { PM };
                unavailable.push(session(a.date, s));
            }
        }

        let mut conflicts: Vec<ConflictInput> = Vec::new();
        if g.chance(0.20) && !cases.is_empty() {
            let n = g.rng.gen_range(1..=2);
            for _ in 0..n {
                let roll: f64 = g.rng.gen();
                let case = g.pick(cases);
                let conflict = if roll < 0.4 || (roll < 0.7 && case.school.is_none()) {
                    ConflictInput {
                        kind: ConflictKind::La,
                        id: g.pick(&covers).clone(),
                    }
                } else if roll < 0.7 {
                    ConflictInput {
                        kind: ConflictKind::School,
                        id: case.school.clone().unwrap_or_default(),
                    }
                } else {
                    ConflictInput {
                        kind: ConflictKind::Case,
                        id: case.reference.clone(),
                    }
                };
                if !conflicts.contains(&conflict) {
                    conflicts.push(conflict);
                }
            }
        }

        // ~10% are former LA officers: the employer is usually one of the LAs they cover,
        // so the impartiality rule (not coverage) is what keeps them off those cases.
        let mut employers = Vec::new();
        if g.chance(0.10) {
            if g.chance(0.6) {
                employers.push(g.pick(&covers).clone());
            } else {
                let others: Vec<String> = nearby
                    .iter()
                    .filter(|la| !covers.contains(la))
                    .take(4)
                    .cloned()
                    .collect();
                if !others.is_empty() {
                    employers.push(g.pick(&others).clone());
                }
            }
        }

        mediators.push(MediatorInput {
            id: format!("M{:03}", i + 1),
            name,
            home_area: g.areas[home].gss_code.clone(),
            covers,
            accreditation_expires: expiries[0],
            register_expires: expiries[1],
            insurance_expires: expiries[2],
            dbs_expires: expiries[3],
            languages,
            max_sessions_per_day,
            max_sessions_per_week,
            availability: AvailabilityInput {
                available: Some(available),
                unavailable,
            },
            conflicts,
            employers,
            session_cost: 0,
        });
    }
    mediators
}

/// Whether the mediator may take cases of `la` at all (covers it, no LA conflict, not
/// employed by it).
fn can_take_la(m: &MediatorInput, la: &str) -> bool {
    m.covers.iter().any(|c| c == la)
        && !m.employers.iter().any(|e| e == la)
        && !m
            .conflicts
            .iter()
            .any(|c| c.kind == ConflictKind::La && c.id == la)
}

/// The service contracts enough mediators for every LA it has cases in: each case's LA is
/// given to the nearest mediators until at least two (or all) can take it.
fn ensure_coverage(g: &Gen, mediators: &mut [MediatorInput], cases: &[CaseInput]) {
    let wanted = mediators.len().min(2);
    for case in cases {
        let la = case.la.as_str();
        let mut have = mediators.iter().filter(|m| can_take_la(m, la)).count();
        if have >= wanted {
            continue;
        }
        let family = g
            .areas
            .iter()
            .find(|a| a.gss_code == case.family_area)
            .expect("family area from areas.csv");
        let mut order: Vec<(f64, usize)> = mediators
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let home = g
                    .areas
                    .iter()
                    .find(|a| a.gss_code == m.home_area)
                    .expect("home area from areas.csv");
                (km(family, home.lat, home.lon), i)
            })
            .collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (_, i) in order {
            if have >= wanted {
                break;
            }
            let m = &mut mediators[i];
            let blocked = m.employers.iter().any(|e| e == la)
                || m.conflicts
                    .iter()
                    .any(|c| c.kind == ConflictKind::La && c.id == la);
            if !blocked && !m.covers.iter().any(|c| c == la) {
                m.covers.push(la.to_string());
                have += 1;
            }
        }
    }
}

fn generate_interpreters(g: &mut Gen, cases: &[CaseInput]) -> Vec<InterpreterInput> {
    let count = (cases.len() / 15).max(2);
    // Languages the cases need, in order of first appearance, BSL first.
    let mut needed: Vec<String> = vec!["BSL".to_string()];
    for c in cases {
        if let Some(lang) = &c.needs.language {
            if !needed.contains(lang) {
                needed.push(lang.clone());
            }
        }
    }
    let mut interpreters = Vec::with_capacity(count);
    for i in 0..count {
        let mut languages = vec![match needed.get(i) {
            Some(lang) => lang.clone(),
            None => g.pick(&OTHER_LANGUAGES).to_string(),
        }];
        if g.chance(0.3) {
            let second = g.pick(&OTHER_LANGUAGES).to_string();
            if !languages.contains(&second) {
                languages.push(second);
            }
        }
        let available = g.listed_availability(0.7, 0.2);
        interpreters.push(InterpreterInput {
            id: format!("I{:03}", i + 1),
            languages,
            availability: AvailabilityInput {
                available: Some(available),
                unavailable: vec![],
            },
        });
    }
    interpreters
}

struct VenueDraft {
    area: usize,
    lat: f64,
    lon: f64,
    rooms: u32,
    step_free: bool,
    hearing_loop: bool,
}

fn generate_venues(g: &mut Gen, count: usize, cases: &[CaseInput]) -> Vec<VenueInput> {
    let mut drafts: Vec<VenueDraft> = Vec::with_capacity(count);
    for _ in 0..count {
        let area = g.area_by_population();
        let (lat, lon) = jitter(g, area);
        let rooms_roll: f64 = g.rng.gen();
        let rooms = if rooms_roll < 0.15 {
            1
        } else if rooms_roll < 0.5 {
            2
        } else if rooms_roll < 0.8 {
            3
        } else {
            4
        };
        drafts.push(VenueDraft {
            area,
            lat,
            lon,
            rooms,
            step_free: g.chance(0.6),
            hearing_loop: g.chance(0.3),
        });
    }

    // Services book rooms near their families: a family that could meet in person but has
    // fewer than two venues within the default travel limit gets one moved nearer, taken
    // from the area with the most venues.
    let travel = TravelConfig::default();
    for case in cases {
        if drafts.is_empty() {
            break;
        }
        let in_person =
            case.preferred_mode == Mode::InPerson || case.accepted_modes.contains(&Mode::InPerson);
        if !in_person {
            continue;
        }
        let family = g
            .areas
            .iter()
            .position(|a| a.gss_code == case.family_area)
            .expect("family area from areas.csv");
        let fa = &g.areas[family];
        let reachable = drafts
            .iter()
            .filter(|v| {
                geo::road_km(&travel, fa.lat, fa.lon, v.lat, v.lon) <= travel.max_family_travel_km
            })
            .filter(|v| v.rooms >= case.needs.rooms)
            .count();
        if reachable >= 2 {
            continue;
        }
        let mut per_area = vec![0usize; g.areas.len()];
        for v in &drafts {
            per_area[v.area] += 1;
        }
        let Some(donor) = (0..drafts.len())
            .rev()
            .filter(|&i| per_area[drafts[i].area] >= 2 && drafts[i].area != family)
            .max_by_key(|&i| per_area[drafts[i].area])
        else {
            continue;
        };
        let (lat, lon) = jitter(g, family);
        let v = &mut drafts[donor];
        v.area = family;
        v.lat = lat;
        v.lon = lon;
        v.rooms = v.rooms.max(case.needs.rooms);
        v.step_free |= case.needs.step_free;
    }

    let mut names: Vec<String> = Vec::new();
    let mut venues = Vec::with_capacity(count);
    for (i, d) in drafts.into_iter().enumerate() {
        let first_kind = g.rng.gen_range(0..VENUE_KINDS.len());
        let area_name = g.areas[d.area].name.clone();
        let mut kind = VENUE_KINDS[first_kind];
        let mut name = format!("{area_name} {}", kind.0);
        for k in 1..=VENUE_KINDS.len() {
            if !names.contains(&name) {
                break;
            }
            kind = VENUE_KINDS[(first_kind + k) % VENUE_KINDS.len()];
            name = if k == VENUE_KINDS.len() {
                format!("{area_name} {} {}", kind.0, i + 1)
            } else {
                format!("{area_name} {}", kind.0)
            };
        }
        names.push(name.clone());
        let (_, council, lo, hi) = kind;
        let cost = f64::from(g.rng.gen_range(lo / 5..=hi / 5) * 5);
        let cost = if council && g.chance(0.3) { 0.0 } else { cost };
        let available = g.listed_availability(0.88, 0.1);
        venues.push(VenueInput {
            id: format!("V{:03}", i + 1),
            name,
            area: g.areas[d.area].gss_code.clone(),
            lat: d.lat,
            lon: d.lon,
            rooms: d.rooms,
            step_free: d.step_free,
            hearing_loop: d.hearing_loop,
            availability: AvailabilityInput {
                available: Some(available),
                unavailable: vec![],
            },
            cost_per_session: cost,
        });
    }
    venues
}

/// A point within ±0.01° of the area's centroid.
fn jitter(g: &mut Gen, area: usize) -> (f64, f64) {
    let a = &g.areas[area];
    let (lat, lon) = (a.lat, a.lon);
    (
        round4(lat + g.rng.gen_range(-0.01..=0.01)),
        round4(lon + g.rng.gen_range(-0.01..=0.01)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(p: &ProblemInput) -> String {
        serde_json::to_string_pretty(p).unwrap()
    }

    #[test]
    fn areas_csv_has_45_areas() {
        let areas = load_areas();
        assert_eq!(areas.len(), 45);
        let herts = areas.iter().filter(|a| a.la_code == "E10000015").count();
        assert_eq!(herts, 10);
    }

    #[test]
    fn same_seed_gives_identical_json() {
        let p = GenerateParams::week(30, 25, 30, 42);
        assert_eq!(json(&generate(&p)), json(&generate(&p)));
    }

    #[test]
    fn different_seeds_differ() {
        let a = generate(&GenerateParams::week(30, 25, 30, 1));
        let b = generate(&GenerateParams::week(30, 25, 30, 2));
        assert_ne!(json(&a), json(&b));
    }

    #[test]
    fn counts_and_horizon_match_params() {
        let p = GenerateParams {
            weeks: 2,
            ..GenerateParams::week(40, 20, 25, 7)
        };
        let input = generate(&p);
        assert_eq!(input.cases.len(), 40);
        assert_eq!(input.mediators.len(), 20);
        assert_eq!(input.venues.len(), 25);
        assert!(input.interpreters.len() >= 2);
        assert_eq!(input.horizon.start, date(2026, 12, 7));
        assert_eq!(input.horizon.end, date(2026, 12, 18));
        assert_eq!(input.horizon.publication_date, date(2026, 11, 30));
        assert!(input.areas.is_none() && input.bank_holidays.is_none());
        assert!(input.session_templates.is_none());
    }

    #[test]
    fn ids_are_unique_and_well_formed() {
        let input = generate(&GenerateParams::week(200, 60, 80, 3));
        let mut refs: Vec<&str> = input.cases.iter().map(|c| c.reference.as_str()).collect();
        refs.sort_unstable();
        refs.dedup();
        assert_eq!(refs.len(), 200);
        assert!(input
            .cases
            .iter()
            .all(|c| c.reference.starts_with("SEN-20")));
        assert_eq!(input.mediators[0].id, "M001");
        assert_eq!(input.venues[79].id, "V080");
        let mut names: Vec<&str> = input.venues.iter().map(|v| v.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 80);
    }

    #[test]
    fn every_case_has_a_required_family_and_la_party() {
        for seed in 0..5 {
            let input = generate(&GenerateParams::week(50, 20, 20, seed));
            for c in &input.cases {
                assert!(c.parties.iter().any(|p| p.required));
                assert!(c
                    .parties
                    .iter()
                    .any(|p| p.required
                        && matches!(p.role, PartyRole::Parent | PartyRole::YoungPerson)));
                assert!(c
                    .parties
                    .iter()
                    .any(|p| p.required && p.role == PartyRole::La));
                if c.health.is_some() {
                    assert!(c.parties.iter().any(|p| p.role == PartyRole::Icb));
                }
            }
        }
    }

    #[test]
    fn hertfordshire_families_belong_to_hertfordshire_county_council() {
        let areas = load_areas();
        let input = generate(&GenerateParams::week(300, 30, 30, 11));
        for c in &input.cases {
            let area = areas.iter().find(|a| a.gss_code == c.family_area).unwrap();
            assert_eq!(c.la, area.la_code);
        }
        assert!(input.cases.iter().any(|c| c.la == "E10000015"));
    }

    #[test]
    fn every_case_la_can_be_taken_by_some_mediator() {
        for seed in 0..5 {
            let input = generate(&GenerateParams::week(60, 25, 30, seed));
            for c in &input.cases {
                let n = input
                    .mediators
                    .iter()
                    .filter(|m| can_take_la(m, &c.la))
                    .count();
                assert!(n >= 2, "seed {seed}: {} ({}) has {n}", c.reference, c.la);
            }
        }
    }

    #[test]
    fn most_in_person_cases_have_several_venues_within_the_travel_limit() {
        let areas = load_areas();
        let travel = TravelConfig::default();
        for seed in 0..5 {
            let input = generate(&GenerateParams::week(30, 25, 30, seed));
            let in_person: Vec<&CaseInput> = input
                .cases
                .iter()
                .filter(|c| {
                    c.preferred_mode == Mode::InPerson || c.accepted_modes.contains(&Mode::InPerson)
                })
                .collect();
            let served = in_person
                .iter()
                .filter(|c| {
                    let fa = areas.iter().find(|a| a.gss_code == c.family_area).unwrap();
                    input
                        .venues
                        .iter()
                        .filter(|v| {
                            v.rooms >= c.needs.rooms
                                && geo::road_km(&travel, fa.lat, fa.lon, v.lat, v.lon)
                                    <= travel.max_family_travel_km
                        })
                        .count()
                        >= 2
                })
                .count();
            assert!(
                served * 10 >= in_person.len() * 8,
                "seed {seed}: {served} of {}",
                in_person.len()
            );
        }
    }

    #[test]
    fn availability_dates_lie_on_working_days_inside_the_horizon() {
        let input = generate(&GenerateParams {
            start: date(2026, 12, 21),
            weeks: 2,
            publication_date: date(2026, 12, 14),
            ..GenerateParams::week(30, 15, 15, 5)
        });
        let cal = Calendar::england_and_wales();
        let (s, e) = (input.horizon.start, input.horizon.end);
        let mut all: Vec<&DaySessions> = Vec::new();
        for m in &input.mediators {
            all.extend(m.availability.available.iter().flatten());
            all.extend(&m.availability.unavailable);
        }
        for v in &input.venues {
            all.extend(v.availability.available.iter().flatten());
        }
        for c in &input.cases {
            for p in &c.parties {
                all.extend(&p.availability.unavailable);
            }
        }
        for d in all {
            assert!(d.date >= s && d.date <= e && cal.is_working_day(d.date));
        }
    }

    #[test]
    fn generated_problems_round_trip_through_json() {
        let input = generate(&GenerateParams::week(30, 25, 30, 9));
        let text = json(&input);
        let back: ProblemInput = serde_json::from_str(&text).unwrap();
        assert_eq!(json(&back), text);
    }

    const FIXTURES: [(&str, &str); 3] = [
        (
            "week-2026-12-07.json",
            include_str!("../../fixtures/week-2026-12-07.json"),
        ),
        (
            "bst-2027-03-24.json",
            include_str!("../../fixtures/bst-2027-03-24.json"),
        ),
        (
            "christmas-2026.json",
            include_str!("../../fixtures/christmas-2026.json"),
        ),
    ];

    #[test]
    fn fixtures_parse_as_problem_input() {
        for (name, text) in FIXTURES {
            let parsed = serde_json::from_str::<ProblemInput>(text);
            assert!(parsed.is_ok(), "{name}: {:?}", parsed.err());
        }
    }

    #[test]
    fn fixtures_validate_without_errors() {
        for (name, text) in FIXTURES {
            let input: ProblemInput = serde_json::from_str(text).unwrap();
            match crate::validate::validate(&input) {
                Ok(v) => assert_eq!(v.problem.cases.len(), input.cases.len(), "{name}"),
                Err(e) => panic!("{name}: {e:?}"),
            }
        }
    }

    #[test]
    fn generated_problems_validate_without_errors() {
        let sizes = [(1, 1, 1), (10, 5, 5), (30, 25, 30), (200, 60, 80)];
        for (seed, (cases, mediators, venues)) in sizes.into_iter().enumerate() {
            for weeks in [1, 3] {
                let params = GenerateParams {
                    weeks,
                    ..GenerateParams::week(cases, mediators, venues, seed as u64)
                };
                let input = generate(&params);
                if let Err(e) = crate::validate::validate(&input) {
                    panic!("{params:?}: {e:?}");
                }
            }
        }
    }
}
