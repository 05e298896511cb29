package tensor

import "testing"

func TestShapesAndViews(t *testing.T) {
	x := New(2, 3, 4)
	if x.Len() != 24 || x.Rows() != 2 || x.Cols() != 12 {
		t.Fatalf("len %d rows %d cols %d", x.Len(), x.Rows(), x.Cols())
	}
	for i := range x.Data {
		x.Data[i] = float32(i)
	}
	r := x.RowSlice(1, 2)
	if r.Data[0] != 12 || !SameShape(r.Shape, []int{1, 3, 4}) {
		t.Fatalf("row slice %v", r)
	}
	v := x.Reshape(6, 4)
	v.Data[0] = -1
	if x.Data[0] != -1 {
		t.Error("Reshape copied instead of viewing")
	}
	c := x.Clone()
	c.Data[1] = 99
	if x.Data[1] == 99 {
		t.Error("Clone shares data")
	}
	if _, err := FromData(make([]float32, 5), 2, 3); err == nil {
		t.Error("FromData accepted 5 values for 2×3")
	}
	// Ensure reuses storage for a smaller batch and allocates for a larger one.
	y := Ensure(x, 1, 3, 4)
	if &y.Data[0] != &x.Data[0] || y.Len() != 12 {
		t.Error("Ensure did not reuse storage for a smaller shape")
	}
	z := Ensure(y, 5, 3, 4)
	if z.Len() != 60 {
		t.Errorf("Ensure to a larger shape: %v", z.Shape)
	}
	defer func() {
		if recover() == nil {
			t.Error("MustShape did not panic on a wrong shape")
		}
	}()
	MustShape("x", z, 4, 3, 4)
}
