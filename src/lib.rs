//! mediation-scheduler: the command line and the HTTP service over `mediation-solver`.
