package train

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"github.com/fgrelu/fgrelu/config"
	"github.com/fgrelu/fgrelu/gemm"
)

// Two goroutines train two networks, each with its own matrix-product provider, while two more
// evaluate a third network at once, each with its own tape. Nothing is shared between them but
// the third network's parameters, which they only read: the trainings give the bits they give
// alone (the golden hashes) and both evaluations the same losses. Run it with -race.
func TestConcurrentNetworks(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skipf("skipped: golden hashes recorded on amd64, this is %s", runtime.GOARCH)
	}
	providers := gemm.Providers()
	train := []struct {
		provider string
		gc       int // index into goldenCases
	}{{providers[0], 1}, {providers[len(providers)-1], 2}}

	// The third network: trained briefly here, then only evaluated.
	cfg, err := config.Load("", append([]string{"seed=7", "train.epochs=1", "train.batch_size=16", "data.dataset=mnist"}, goldenCases[1].sets...)...)
	if err != nil {
		t.Fatal(err)
	}
	gc := goldenCases[1]
	test := goldenData(gc.h, gc.w, gc.c, 40, 3, 3)
	third, err := Run(context.Background(), cfg, goldenData(gc.h, gc.w, gc.c, 32, 3, 4), test, Options{})
	if err != nil {
		t.Fatal(err)
	}
	evalCtx, err := gemm.New(providers[len(providers)-1])
	if err != nil {
		t.Fatal(err)
	}
	third.Net.Gemm = evalCtx
	alone := Evaluate(third.Net, test, EvalOptions{BatchSize: 8})

	var wg sync.WaitGroup
	hashes := make([]string, len(train))
	errs := make([]error, len(train))
	for i, tr := range train {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, err := gemm.New(tr.provider)
			if err != nil {
				errs[i] = err
				return
			}
			c := goldenCases[tr.gc]
			hashes[i], errs[i] = goldenHash(ctx, c.sets, c.h, c.w, c.c)
		}()
	}
	evals := make([]Eval, 2)
	for i := range evals {
		wg.Add(1)
		go func() {
			defer wg.Done()
			evals[i] = Evaluate(third.Net, test, EvalOptions{BatchSize: 8})
		}()
	}
	wg.Wait()
	for i, tr := range train {
		if errs[i] != nil {
			t.Fatalf("training %s with %s: %v", goldenCases[tr.gc].name, tr.provider, errs[i])
		}
		ctx, _ := gemm.New(tr.provider)
		want, ok := goldenHashes[ctx.Describe()][goldenCases[tr.gc].name]
		if ok && hashes[i] != want {
			t.Errorf("training %s with %s beside others: hash %s, alone %s", goldenCases[tr.gc].name, tr.provider, hashes[i], want)
		}
	}
	for i, ev := range evals {
		for p := range ev.Loss {
			if ev.Loss[p] != alone.Loss[p] || ev.Accuracy[p] != alone.Accuracy[p] {
				t.Errorf("evaluation %d, pass %d: loss %v accuracy %v, alone %v %v", i, p+1, ev.Loss[p], ev.Accuracy[p], alone.Loss[p], alone.Accuracy[p])
			}
		}
	}
}
