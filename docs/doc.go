// Package docs carries the project's method document, METHODS.md (how each claim of the paper
// is read and tested), so that a reproduction can write it beside its report and link it.
//
// Owns: the embedded documents. Imports no package of this module.
package docs

import _ "embed"

// Methods is the text of docs/METHODS.md.
//
//go:embed METHODS.md
var Methods []byte
