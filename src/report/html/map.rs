//! A map of the covered areas as inline SVG: one circle per area at its centroid, sized by
//! the roster's meetings for families of that area, with a table saying the same in text.
//!
//! The projection is equirectangular with longitudes scaled by the cosine of the mean
//! latitude: over a region the size of London and its neighbours that is accurate enough
//! to recognise, and needs no map data.

use maud::{html, Markup};
use mediation_solver::model::Problem;

/// Drawing width in SVG units; the height follows the region's shape.
const WIDTH: f64 = 640.0;
const MAX_HEIGHT: f64 = 560.0;
const PAD: f64 = 28.0;
/// Kilometres per degree of latitude.
const KM_PER_DEGREE: f64 = 111.32;

/// Radius of an area's circle: a small hollow ring with no meeting, then area ∝ meetings.
fn radius(meetings: usize) -> f64 {
    if meetings == 0 {
        3.5
    } else {
        5.0 + 3.5 * (meetings as f64).sqrt()
    }
}

fn n1(x: f64) -> String {
    format!("{x:.1}")
}

/// A label's box: left, top, right, bottom.
type Box = (f64, f64, f64, f64);

fn overlap(a: &Box, b: &Box) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Names beside the circles of areas with meetings, busiest first: right of the circle,
/// else left of it, never over another name or filled circle, else none (the circle's title and the table still name it). Text
/// widths are estimated (10 px sans-serif ≈ 5.6 px a character).
fn labels<'p>(
    areas: &'p [mediation_solver::model::Area],
    order: &[usize],
    count: &dyn Fn(usize) -> usize,
    at: &dyn Fn(usize) -> (f64, f64),
) -> Vec<(f64, f64, Option<&'static str>, &'p str)> {
    let circles: Vec<Box> = order
        .iter()
        .map(|&a| {
            let (x, y) = at(a);
            let r = radius(count(a));
            (x - r, y - r, x + r, y + r)
        })
        .collect();
    let mut placed: Vec<Box> = Vec::new();
    let mut out = Vec::new();
    for (k, &a) in order.iter().enumerate() {
        if count(a) == 0 {
            continue;
        }
        let (x, y) = at(a);
        let r = radius(count(a));
        let width = 5.6 * areas[a].name.chars().count() as f64;
        let right = (x + r + 2.0, y - 6.0, x + r + 2.0 + width, y + 6.0);
        let left = (x - r - 2.0 - width, y - 6.0, x - r - 2.0, y + 6.0);
        let free = |b: &Box| {
            b.0 >= 0.0
                && b.2 <= WIDTH
                && !placed.iter().any(|p| overlap(p, b))
                && !circles
                    .iter()
                    .enumerate()
                    .any(|(j, c)| j != k && count(order[j]) > 0 && overlap(c, b))
        };
        if free(&right) {
            out.push((right.0, y + 3.5, None, areas[a].name.as_str()));
            placed.push(right);
        } else if free(&left) {
            out.push((left.2, y + 3.5, Some("end"), areas[a].name.as_str()));
            placed.push(left);
        }
    }
    out
}

/// The map and its text alternative. `meetings[a]` counts meetings for area `a`.
pub(super) fn map(problem: &Problem, meetings: &[usize]) -> Markup {
    let count = |a: usize| meetings.get(a).copied().unwrap_or(0);
    // The covered areas, and any other area a meeting's family lives in.
    let shown: Vec<usize> = (0..problem.areas.len())
        .filter(|&a| {
            let area = &problem.areas[a];
            (problem.covered_las.is_empty() || problem.covered_las.contains(&area.la_code))
                || count(a) > 0
        })
        .filter(|&a| problem.areas[a].lat.is_finite() && problem.areas[a].lon.is_finite())
        .collect();
    if shown.is_empty() {
        return html! { p { "No area to show." } };
    }
    let lats = shown.iter().map(|&a| problem.areas[a].lat);
    let lons = shown.iter().map(|&a| problem.areas[a].lon);
    let (lat_min, lat_max) = lats.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (lon_min, lon_max) = lons.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let k = ((lat_min + lat_max) / 2.0).to_radians().cos();
    let span_x = ((lon_max - lon_min) * k).max(1e-6);
    let span_y = (lat_max - lat_min).max(1e-6);
    let scale = ((WIDTH - 2.0 * PAD) / span_x).min((MAX_HEIGHT - 2.0 * PAD) / span_y);
    let height = (span_y * scale + 2.0 * PAD).max(2.0 * PAD + 10.0);
    let x_off = (WIDTH - span_x * scale) / 2.0;
    let at = |a: usize| {
        let area = &problem.areas[a];
        (
            x_off + (area.lon - lon_min) * k * scale,
            PAD + (lat_max - area.lat) * scale,
        )
    };

    // Largest circles first, so smaller ones stay visible on top.
    let mut order = shown.clone();
    order.sort_by_key(|&a| std::cmp::Reverse(count(a)));
    let total: usize = shown.iter().map(|&a| count(a)).sum();
    let mut held: Vec<usize> = shown.iter().copied().filter(|&a| count(a) > 0).collect();
    held.sort_by(|&a, &b| {
        count(b)
            .cmp(&count(a))
            .then_with(|| problem.areas[a].name.cmp(&problem.areas[b].name))
    });
    let mut without: Vec<&str> = shown
        .iter()
        .filter(|&&a| count(a) == 0)
        .map(|&a| problem.areas[a].name.as_str())
        .collect();
    without.sort_unstable();

    html! {
        div.map {
            svg xmlns="http://www.w3.org/2000/svg" role="img"
                aria-labelledby="map-title map-desc"
                viewBox=(format!("0 0 {} {}", n1(WIDTH), n1(height)))
                width=(n1(WIDTH)) height=(n1(height)) {
                title id="map-title" { "Meetings per area" }
                desc id="map-desc" {
                    (shown.len()) " covered areas; circle area grows with the number of this "
                    "roster's meetings for families living there (" (total) " in all). "
                    "The table beside the map lists the same figures."
                }
                @for &a in &order {
                    @let (x, y) = at(a);
                    @let area = &problem.areas[a];
                    @let n = count(a);
                    g {
                        title {
                            (area.name) " (" (area.gss_code) "), " (area.la_name) ": "
                            (n) " meeting(s)"
                        }
                        circle.area[n > 0].none[n == 0] cx=(n1(x)) cy=(n1(y)) r=(n1(radius(n))) {}
                        @if n > 0 {
                            text.n x=(n1(x)) y=(n1(y)) { (n) }
                        }
                    }
                }
                @for (x, y, anchor, name) in labels(&problem.areas, &order, &count, &at) {
                    text.label x=(n1(x)) y=(n1(y)) text-anchor=[anchor] { (name) }
                }
                @let km10 = scale * 10.0 / KM_PER_DEGREE;
                @let y = height - 10.0;
                line.scale x1=(n1(PAD)) y1=(n1(y)) x2=(n1(PAD + km10)) y2=(n1(y)) {}
                text.label x=(n1(PAD + km10 + 4.0)) y=(n1(y + 3.5)) { "10 km" }
            }
            table.areas {
                caption { "Meetings per area, by the family's area" }
                thead {
                    tr {
                        th scope="col" { "Area" }
                        th scope="col" { "LA" }
                        th.num scope="col" { "Meetings" }
                    }
                }
                tbody {
                    @for &a in &held {
                        tr {
                            th scope="row" { (problem.areas[a].name) }
                            td { (problem.areas[a].la_name) }
                            td.num { (count(a)) }
                        }
                    }
                    @if held.is_empty() {
                        tr { td colspan="3" { "No meetings." } }
                    }
                }
            }
            @if !without.is_empty() {
                p.without {
                    "No meetings this roster in " (without.len()) " other covered area(s): "
                    (without.join(", ")) "."
                }
            }
        }
    }
}
