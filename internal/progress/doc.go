// Package progress draws a progress line for long work: redrawn in place on a terminal, and
// printed every so often when the output is a file or a pipe (a CI log, a cluster job).
//
// Owns: the progress line. Imports no package of this module.
package progress
