// Package checkpoint reads and writes tensors in the safetensors format, the container for
// model weights, optimiser state and run metadata.
//
// The format (https://github.com/huggingface/safetensors, README "Format") is:
//
//   - 8 bytes: N, an unsigned little-endian 64-bit integer, the size of the header;
//   - N bytes: a UTF-8 JSON object that maps each tensor name to
//     {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, where the offsets are
//     byte offsets into the data buffer, plus an optional "__metadata__" object of strings;
//     the header may be padded at its end with spaces;
//   - the data buffer: the rest of the file, each tensor's elements row-major and
//     little-endian, with the tensors covering the buffer exactly, without holes or overlaps.
//
// Write is deterministic: the same File always gives the same bytes. Tensors are laid out in
// the order of File.Tensors, the header lists "__metadata__" first (metadata keys sorted),
// then the tensors in that same order, and is padded with spaces so that the data buffer
// starts at a multiple of 8 bytes.
//
// Read treats its input as hostile: no file makes it panic, read outside the file, or
// allocate much more than the file's size (tensor data takes exactly the data buffer's size;
// the parsed header takes a small multiple of the header's size, itself at most
// MaxHeaderSize). Every check that fails gives an error naming the tensor and the problem.
//
// Only the dtypes F32, F64, I64 and U8 are supported; a file with another dtype is refused.
//
// Owns: the safetensors container. Imports internal/atomicfile only; it knows nothing of
// networks, configs or training (package train maps them onto files).
package checkpoint
