//go:build !cgo || noonednn

package gemm

// nativeConv is nil without cgo or with the noonednn tag: layers compute their convolutions as
// im2col products.
var nativeConv ConvProvider

// winogradConvs is nil too: its weight gradients are oneDNN's.
var winogradConvs ConvProvider

func winogradConfig() string { return "not compiled in" }

func onednnConfig() string { return "not compiled in" }

var onednnProducts Provider
