package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fgrelu/fgrelu/tensor"
)

func TestLossesAgainstDefinitions(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	z := randTensor(r, 4, 3, 7)
	z.Data[0], z.Data[1] = 30, -30 // saturated outputs must stay finite
	y := (&Activation{Kind: Sigmoid}).Forward(&State{}, z).Clone()
	x := randTensor(r, 0.5, 3, 7)
	for i := range x.Data {
		x.Data[i] += 0.5
	}
	var bce, mse float64
	for i := range z.Data {
		zi, xi := float64(z.Data[i]), float64(x.Data[i])
		p := 1 / (1 + math.Exp(-zi))
		// log σ(z) = −log(1 + e^(−z)) and log(1 − σ(z)) = −log(1 + e^z), without cancellation.
		bce += xi*math.Log1p(math.Exp(-zi)) + (1-xi)*math.Log1p(math.Exp(zi))
		mse += (p - xi) * (p - xi)
	}
	n := float64(z.Len())
	if got := (SigmoidBCE{}).Eval(z, y, Target{X: x}, 1, nil); math.Abs(got-bce/n) > 1e-5 {
		t.Errorf("bce = %v, want %v", got, bce/n)
	}
	if got := (SigmoidMSE{}).Eval(z, y, Target{X: x}, 1, nil); math.Abs(got-mse/n) > 1e-6 {
		t.Errorf("mse = %v, want %v", got, mse/n)
	}
	labels := []int{0, 6, 3}
	var ce float64
	for b := range 3 {
		var e float64
		for j := range 7 {
			e += math.Exp(float64(z.Data[b*7+j]))
		}
		ce += math.Log(e) - float64(z.Data[b*7+labels[b]])
	}
	if got := (SoftmaxCE{}).Eval(z, z, Target{Labels: labels}, 1, nil); math.Abs(got-ce/3) > 1e-5 {
		t.Errorf("softmax-ce = %v, want %v", got, ce/3)
	}
}

func TestLossGradients(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	x := randTensor(r, 0.5, 4, 5)
	for i := range x.Data {
		x.Data[i] += 0.5
	}
	for _, loss := range []Loss{SigmoidBCE{}, SigmoidMSE{}, SoftmaxCE{}} {
		z := randTensor(r, 2, 4, 5)
		target := Target{X: x, Labels: []int{1, 0, 4, 2}}
		eval := func() float64 {
			y := (&Activation{Kind: loss.Output()}).Forward(&State{}, z)
			return loss.Eval(z, y, target, 1, nil)
		}
		y := (&Activation{Kind: loss.Output()}).Forward(&State{}, z).Clone()
		dz := tensor.New(4, 5)
		loss.Eval(z, y, target, 2, dz) // scale 2: the gradient must double
		const h = 1e-2
		for i := range z.Data {
			old := z.Data[i]
			z.Data[i] = old + h
			up := eval()
			z.Data[i] = old - h
			down := eval()
			z.Data[i] = old
			num := 2 * (up - down) / (2 * h)
			if !close(float64(dz.Data[i]), num, 2e-3) && math.Abs(float64(dz.Data[i])-num) > 1e-5 {
				t.Errorf("%s: ∂/∂z[%d] analytic %v, numeric %v", loss.Name(), i, dz.Data[i], num)
			}
		}
	}
}
