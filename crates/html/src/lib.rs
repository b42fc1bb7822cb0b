//! placeholder until its writer lands
