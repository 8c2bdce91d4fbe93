//! Distances and travel times. Straight-line (great-circle) distance times a road factor,
//! driven at a configured speed: crude, but the same estimate everywhere it is used.

use crate::input::TravelConfig;

const EARTH_RADIUS_KM: f64 = 6371.0;

/// Great-circle distance in km between two points given in degrees.
pub fn straight_line_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().asin()
}

/// Estimated road distance in km.
pub fn road_km(travel: &TravelConfig, lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    straight_line_km(lat1, lon1, lat2, lon2) * travel.road_factor
}

/// Estimated travel time in minutes.
pub fn travel_minutes(travel: &TravelConfig, lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    road_km(travel, lat1, lon1, lat2, lon2) / travel.speed_kmh * 60.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bedford_to_croydon_is_about_ninety_km_as_the_crow_flies() {
        let km = straight_line_km(52.189, -0.477, 51.355, -0.087);
        assert!((85.0..100.0).contains(&km), "{km}");
    }

    #[test]
    fn same_point_is_zero_km() {
        assert_eq!(straight_line_km(51.5, -0.1, 51.5, -0.1), 0.0);
    }

    #[test]
    fn travel_time_uses_road_factor_and_speed() {
        let cfg = TravelConfig {
            road_factor: 1.5,
            speed_kmh: 30.0,
            max_family_travel_km: 40.0,
            venue_shortlist: 6,
        };
        let km = straight_line_km(51.5, -0.1, 51.6, -0.1);
        let minutes = travel_minutes(&cfg, 51.5, -0.1, 51.6, -0.1);
        assert!((minutes - km * 1.5 * 2.0).abs() < 1e-9);
    }
}
