// Rule fixtures: manifest features (format: removals.rs; `old.toml`/`new.toml` are appended to the
// library's manifest, `witness.features` are the features the dependent enables).

//= feature_no_longer_enables_feature
//- old
#[cfg(feature = "extra")]
pub fn extra() {}
//- old.toml
[features]
json = ["extra"]
extra = []
//- new
#[cfg(feature = "extra")]
pub fn extra() {}
//- new.toml
[features]
json = []
extra = []
//- witness
pub fn w() { lib::extra() }
//- witness.features
json

//= feature_not_enabled_by_default
//- old
#[cfg(feature = "extra")]
pub fn extra() {}
//- old.toml
[features]
default = ["extra"]
extra = []
//- new
#[cfg(feature = "extra")]
pub fn extra() {}
//- new.toml
[features]
default = []
extra = []
//- witness
pub fn w() { lib::extra() }

//= feature_enables_changed
//- old
//- old.toml
[features]
json = []
extra = []
//- new
//- new.toml
[features]
json = ["extra"]
extra = []
