// Package testenv finds what tests need from outside the repository and skips, with a
// message that says why, when it is absent.
//
// Owns: test support only: no package imports it outside its tests. Imports no package of
// this module.
package testenv
