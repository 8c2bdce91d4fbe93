//! Turns a [`crate::input::ProblemInput`] into a trusted [`crate::model::Problem`]. (being written)
