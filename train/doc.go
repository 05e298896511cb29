// Package train runs the training loop of a configuration: epochs of shuffled batches, the
// loss of every pass, backpropagation through all passes, the optimizer step, evaluation of
// every pass on the test set after each epoch (its loss, and its dead units: rectifier units
// never active on the test set, see net.Activity), checkpoints, and resumption after a crash.
//
// Every random stream (weight initialisation, each epoch's shuffle, each step's dropout masks,
// evaluation noise) is a pure function of the seed and the epoch and step it belongs to. A run
// resumed from a checkpoint therefore draws exactly what the uninterrupted run would have,
// and finishes with the same bits.
//
// Owns: the training step (Step, Setup), the loop, evaluation, metrics, checkpoints of runs and
// the random streams. Imports config, data, net, nn, optim, gemm, tensor, checkpoint and
// internal packages; it must not import experiment, report, stats, tsne or the command.
package train
