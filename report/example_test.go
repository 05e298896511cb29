package report_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/fgrelu/fgrelu/report"
	"github.com/fgrelu/fgrelu/stats"
)

func ExampleWriteHTML() {
	dir, err := os.MkdirTemp("", "report-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// Final test losses of five repeats per model.
	feedback := []float64{0.092, 0.095, 0.093, 0.096, 0.094}
	none := []float64{0.101, 0.098, 0.104, 0.099, 0.103}

	// A figure: a curve per model over epochs (here just three epochs).
	fig := report.CurveFigure{
		Title: "MNIST autoencoder", XLabel: "epoch", YLabel: "test loss",
		Panels: []report.CurvePanel{{Series: []report.Series{
			{Name: "feedback", Mean: []float64{0.2, 0.12, 0.094}, Low: []float64{0.19, 0.11, 0.092}, High: []float64{0.21, 0.13, 0.096}},
			{Name: "none", Mean: []float64{0.21, 0.13, 0.101}, Low: []float64{0.2, 0.12, 0.098}, High: []float64{0.22, 0.14, 0.104}},
		}}},
	}
	if err := report.Curves(filepath.Join(dir, "mnist-ae"), fig); err != nil {
		log.Fatal(err)
	}

	c := stats.Compare(feedback, none, 0.05, stats.Less)
	r := &report.Report{
		Title:       "Feedback-gated ReLUs: reproduction",
		Generated:   time.Now(),
		Environment: map[string]string{"profile": "example"},
		Sections: []report.Section{{
			ID:         "mnist-ae",
			Title:      "MNIST autoencoder",
			PaperClaim: "Feedback D1→E1 lowers the test loss.",
			Verdict:    c.Verdict,
			Numbers: []report.Row{
				report.SummaryRow("feedback", stats.Summarize(feedback, 0)),
				report.SummaryRow("no feedback", stats.Summarize(none, 0)),
				report.ComparisonRow("feedback − no feedback", c),
			},
			Figures: []report.Figure{{File: "mnist-ae", Caption: "Test loss, mean of 5 repeats and 95 % CI."}},
		}},
	}
	if err := report.WriteHTML(dir, r); err != nil {
		log.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		fmt.Println(e.Name())
	}
	fmt.Println("verdict:", c.Verdict)
	// Output:
	// mnist-ae.png
	// mnist-ae.svg
	// report.html
	// verdict: supported
}
