package data

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// tiny is 3 examples of 1×2×2: pixel bytes 0…11, labels 2, 0, 1.
func tiny() *Dataset {
	px := make([]uint8, 12)
	for i := range px {
		px[i] = uint8(i * 20)
	}
	return &Dataset{Name: "tiny", Pixels: px, Labels: []uint8{2, 0, 1}, N: 3, H: 1, W: 2, C: 2, Classes: 3}
}

func TestGather(t *testing.T) {
	d := tiny()
	if d.Features() != 4 {
		t.Fatalf("Features = %d, want 4", d.Features())
	}
	dst := make([]float32, 8)
	d.Gather(dst, []int{2, 0})
	// Hand-computed: example 2 holds bytes 160, 180, 200, 220; example 0 holds 0, 20, 40, 60.
	want := []float32{160. / 255, 180. / 255, 200. / 255, 220. / 255, 0, 20. / 255, 40. / 255, 60. / 255}
	for i := range want {
		if dst[i] != want[i] { // the table holds float32(b)/255, the correctly rounded quotient
			t.Errorf("dst[%d] = %v, want %v", i, dst[i], want[i])
		}
	}
	if got := byteToUnit[255]; got != 1 {
		t.Errorf("255 maps to %v, want exactly 1", got)
	}
	labels := make([]int, 3)
	d.GatherLabels(labels, []int{0, 2, 1})
	if !slices.Equal(labels, []int{2, 1, 0}) {
		t.Errorf("GatherLabels = %v, want [2 1 0]", labels)
	}
}

func TestGatherPanics(t *testing.T) {
	d := tiny()
	for name, f := range map[string]func(){
		"short dst":      func() { d.Gather(make([]float32, 7), []int{0, 1}) },
		"long dst":       func() { d.Gather(make([]float32, 9), []int{0, 1}) },
		"index":          func() { d.Gather(make([]float32, 4), []int{3}) },
		"negative index": func() { d.Gather(make([]float32, 4), []int{-1}) },
		"labels dst":     func() { d.GatherLabels(make([]int, 1), []int{0, 1}) },
		"labels index":   func() { d.GatherLabels(make([]int, 1), []int{5}) },
		"head":           func() { d.Head(-1) },
		"batches":        func() { Batches([]int{1}, 0) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}

func TestHead(t *testing.T) {
	d := tiny()
	h := d.Head(2)
	if h.N != 2 || len(h.Pixels) != 8 || len(h.Labels) != 2 || h.Validate() != nil {
		t.Fatalf("Head(2) = N %d, %d pixels, %d labels, %v", h.N, len(h.Pixels), len(h.Labels), h.Validate())
	}
	if &h.Pixels[0] != &d.Pixels[0] {
		t.Error("Head copied the pixels, want a view")
	}
	_ = append(h.Pixels, 99)
	_ = append(h.Labels, 2)
	if d.Pixels[8] != 160 || d.Labels[2] != 1 {
		t.Error("appending to the head overwrote the parent")
	}
	if all := d.Head(10); all.N != 3 {
		t.Errorf("Head(10) of 3 has N = %d", all.N)
	}
	if z := d.Head(0); z.N != 0 || z.Validate() != nil {
		t.Errorf("Head(0): N %d, %v", z.N, z.Validate())
	}
}

func TestValidate(t *testing.T) {
	if err := tiny().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func(*Dataset)
		want string
	}{
		{"pixels", func(d *Dataset) { d.Pixels = d.Pixels[:11] }, "11 pixel bytes"},
		{"labels", func(d *Dataset) { d.Labels = d.Labels[:2] }, "2 labels for 3"},
		{"label range", func(d *Dataset) { d.Labels[1] = 3 }, "example 1 has label 3"},
		{"classes", func(d *Dataset) { d.Classes = 0 }, "Classes = 0"},
		{"classes 257", func(d *Dataset) { d.Classes = 257 }, "Classes = 257"},
		{"names", func(d *Dataset) { d.ClassNames = []string{"a"} }, "1 class names for 3"},
		{"shape", func(d *Dataset) { d.H = 0 }, "must be positive"},
		{"negative N", func(d *Dataset) { d.N = -1 }, "negative"},
		{"huge", func(d *Dataset) { d.N, d.H, d.W, d.C = 1<<20, 1<<20, 1<<20, 1<<20 }, "over the"},
	} {
		d := tiny()
		tc.edit(d)
		err := d.Validate()
		wantErr(t, err, tc.want, `"tiny"`)
		if !strings.HasPrefix(err.Error(), "data: ") {
			t.Errorf("%s: error %q lacks the package prefix", tc.name, err)
		}
	}
}

func TestPermutation(t *testing.T) {
	p := Permutation(1000, rand.New(rand.NewPCG(1, 2)))
	q := Permutation(1000, rand.New(rand.NewPCG(1, 2)))
	if !slices.Equal(p, q) {
		t.Fatal("the same seed gave different permutations")
	}
	if slices.Equal(p, Permutation(1000, rand.New(rand.NewPCG(1, 3)))) {
		t.Error("another seed gave the same permutation")
	}
	s := slices.Clone(p)
	slices.Sort(s)
	for i, v := range s {
		if v != i {
			t.Fatalf("not a permutation: sorted[%d] = %d", i, v)
		}
	}
	if slices.IsSorted(p) {
		t.Error("permutation of 1000 is the identity")
	}
	if len(Permutation(0, rand.New(rand.NewPCG(1, 2)))) != 0 {
		t.Error("Permutation(0) is not empty")
	}
	// Uniformity, coarsely: over 6000 draws of a permutation of 3, each of the 6 orders
	// should come up 1000 ± 5σ times (σ = √(6000·1/6·5/6) ≈ 28.9).
	r := rand.New(rand.NewPCG(7, 7))
	counts := map[[3]int]int{}
	for range 6000 {
		counts[[3]int(Permutation(3, r))]++
	}
	if len(counts) != 6 {
		t.Fatalf("%d distinct orders of 3, want 6", len(counts))
	}
	for k, c := range counts {
		if c < 1000-145 || c > 1000+145 {
			t.Errorf("order %v came up %d times of 6000, want 1000 ± 145", k, c)
		}
	}
}

func TestBatches(t *testing.T) {
	perm := []int{5, 3, 1, 0, 2, 4, 6}
	b := Batches(perm, 3)
	if len(b) != 3 || !slices.Equal(b[0], []int{5, 3, 1}) || !slices.Equal(b[1], []int{0, 2, 4}) || !slices.Equal(b[2], []int{6}) {
		t.Fatalf("Batches = %v", b)
	}
	_ = append(b[0], 99)
	if perm[3] != 0 {
		t.Error("appending to a batch overwrote the next")
	}
	if got := Batches(perm, 7); len(got) != 1 || len(got[0]) != 7 {
		t.Errorf("one full batch: %v", got)
	}
	if got := Batches(perm, 100); len(got) != 1 || len(got[0]) != 7 {
		t.Errorf("batch larger than the set: %v", got)
	}
	if got := Batches(nil, 4); len(got) != 0 {
		t.Errorf("no examples: %v", got)
	}
}
