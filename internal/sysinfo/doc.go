// Package sysinfo describes the machine for benchmark and report headers.
//
// Owns: the machine's description. Imports no package of this module.
package sysinfo
