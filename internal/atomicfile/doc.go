// Package atomicfile replaces a file so that readers, and the file system after a crash, see
// either the old content or the new content, never a mix or a truncated file.
//
// The recipe is the usual one for POSIX file systems (see rename(2), fsync(2), and "Ensuring
// data reaches disk", https://lwn.net/Articles/457667/): write a temporary file in the same
// folder, flush and fsync it, close it, rename it over the destination (rename is atomic
// within one file system), then fsync the folder so the rename itself is durable.
//
// Owns: atomic file replacement. Imports no package of this module.
package atomicfile
