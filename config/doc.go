// Package config holds every hyperparameter of fgrelu in one place, with its default.
//
// A run's configuration is built in three layers: the defaults of Default, then a config file
// (YAML or JSON), then command-line overrides (`--set train.epochs=5`, or the command's
// shorthand flags, which are the same overrides). An unknown key anywhere is an error that
// names it; so is an invalid value, such as β_max ≥ 1 or an edge that points down the
// hierarchy. The resolved configuration travels with every checkpoint and result.
//
// Keys are snake_case paths: seed, data.dataset, model.beta_max, train.lr, … Run
// `fgrelu config` to list them all with their defaults and meaning.
//
// Owns: the configuration keys, defaults, loading and validation, and the mapping of the
// network's errors onto keys (ModelError). Imports net (for Spec, Check and the presets) only;
// it must not import train, optim, data, experiment or anything above them.
package config
