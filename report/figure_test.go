package report

import (
	"bytes"
	"encoding/xml"
	"image/color"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkFigure checks that path's PNG decodes to an image at least minW×minH
// pixels that is not blank, and that its SVG is well-formed XML with an <svg>
// root element.
func checkFigure(t *testing.T, path string, minW, minH int) {
	t.Helper()
	pngPath, svgPath := Paths(path)
	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", pngPath, err)
	}
	b := img.Bounds()
	if b.Dx() < minW || b.Dy() < minH {
		t.Errorf("%s is %d×%d, want at least %d×%d", pngPath, b.Dx(), b.Dy(), minW, minH)
	}
	nonWhite := 0
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			if r, g, bl, _ := img.At(x, y).RGBA(); r != 0xffff || g != 0xffff || bl != 0xffff {
				nonWhite++
			}
		}
	}
	if nonWhite < 100 {
		t.Errorf("%s looks blank (%d non-white samples)", pngPath, nonWhite)
	}

	data, err := os.ReadFile(svgPath)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	root, elements := "", 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: invalid XML: %v", svgPath, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = se.Name.Local
			}
			elements++
		}
	}
	if root != "svg" || elements < 10 {
		t.Errorf("%s: root element %q with %d elements", svgPath, root, elements)
	}
}

func decay(n int, base, rate float64) (m, lo, hi []float64) {
	for i := range n {
		v := base*math.Exp(-rate*float64(i)) + 0.05
		m = append(m, v)
		lo = append(lo, v*0.9)
		hi = append(hi, v*1.1)
	}
	return m, lo, hi
}

func testCurveFigure() CurveFigure {
	m1, l1, h1 := decay(40, 1, 0.1)
	m2, l2, h2 := decay(40, 0.8, 0.15)
	m2[20] = math.NaN()       // a gap in the line
	l1[5] = math.Inf(-1)      // a gap in the band (CI of one repeat)
	l2[3], h2[3] = -0.01, 0.3 // a band end below 0, clipped on a log axis
	s := []Series{
		{Name: "no feedback", Mean: m1, Low: l1, High: h1},
		{Name: "feedback", Mean: m2, Low: l2, High: h2},
	}
	return CurveFigure{
		Title: "test loss", XLabel: "epoch", YLabel: "BCE", LogY: true,
		Panels: []CurvePanel{{Title: "pass 1", Series: s}, {Title: "pass 2", Series: s}},
	}
}

func TestCurves(t *testing.T) {
	dir := t.TempDir()
	fig := testCurveFigure()
	if err := Curves(filepath.Join(dir, "curves.png"), fig); err != nil { // extension replaced
		t.Fatal(err)
	}
	checkFigure(t, filepath.Join(dir, "curves"), 1000, 1000)

	// One panel, error bars, linear axis, a short series with markers, an
	// unnamed series and explicit x values.
	fig.LogY, fig.ErrorBars = false, true
	fig.Panels = []CurvePanel{{Series: []Series{
		{Name: "T=1", X: []float64{1, 2, 4, 6, 8}, Mean: []float64{5, 4, 3, 3, 3}, Low: []float64{4, 3, 2, 2, 2}, High: []float64{6, 5, 4, 4, 4}},
		{X: []float64{1, 2, 4, 6, 8}, Mean: []float64{4, 3, 2, 2, 2}},
	}}}
	fig.Size = Size{Width: 400, Height: 300, DPI: 100}
	if err := Curves(filepath.Join(dir, "bars"), fig); err != nil {
		t.Fatal(err)
	}
	checkFigure(t, filepath.Join(dir, "bars"), 400*100/72, 300*100/72)
}

func TestCurvesErrors(t *testing.T) {
	ok := []float64{1, 2, 3}
	for name, fig := range map[string]CurveFigure{
		"no panels":       {},
		"no series":       {Panels: []CurvePanel{{Title: "p"}}},
		"empty series":    {Panels: []CurvePanel{{Series: []Series{{Name: "a"}}}}},
		"x length":        {Panels: []CurvePanel{{Series: []Series{{Mean: ok, X: []float64{1}}}}}},
		"low only":        {Panels: []CurvePanel{{Series: []Series{{Mean: ok, Low: ok}}}}},
		"band length":     {Panels: []CurvePanel{{Series: []Series{{Mean: ok, Low: ok[:2], High: ok[:2]}}}}},
		"all NaN":         {Panels: []CurvePanel{{Series: []Series{{Mean: []float64{math.NaN()}}}}}},
		"log of negative": {LogY: true, Panels: []CurvePanel{{Series: []Series{{Mean: []float64{1, -1}}}}}},
		"NaN x":           {Panels: []CurvePanel{{Series: []Series{{Mean: ok, X: []float64{1, math.NaN(), 3}}}}}},
	} {
		path := filepath.Join(t.TempDir(), "c")
		err := Curves(path, fig)
		if err == nil || !strings.HasPrefix(err.Error(), "report: curves") {
			t.Errorf("%s: error %v", name, err)
		}
		if _, serr := os.Stat(path + ".png"); serr == nil {
			t.Errorf("%s: a PNG was written despite the error", name)
		}
	}
}

func testGrid(rows, cols int, off float64) [][]float64 {
	v := make([][]float64, rows)
	for r := range v {
		for c := range cols {
			v[r] = append(v[r], 0.08+off+0.01*math.Sin(float64(r*cols+c)))
		}
	}
	return v
}

func TestHeatmap(t *testing.T) {
	dir := t.TempDir()
	p2 := testGrid(4, 5, -0.01)
	p2[1][2] = math.NaN()
	p2[2][3] = math.Inf(1)
	fig := HeatmapFigure{
		Title: "grid 2", XLabel: "η", YLabel: "β_max", ValueLabel: "test loss",
		Cols: []string{"1", "2", "3", "4", "5"}, Rows: []string{"0.8", "0.85", "0.9", "0.95"},
		Panels: []HeatmapPanel{{Title: "pass 1", Values: testGrid(4, 5, 0)}, {Title: "pass 2", Values: p2}},
	}
	if err := Heatmap(filepath.Join(dir, "heat"), fig); err != nil {
		t.Fatal(err)
	}
	checkFigure(t, filepath.Join(dir, "heat"), 700, 700)

	// Separate scales, a fixed range, a constant panel, no labels.
	fig = HeatmapFigure{SeparateScales: true, Reverse: true, Format: "%.2f",
		Panels: []HeatmapPanel{{Values: [][]float64{{1, 1}, {1, 1}}}}}
	if err := Heatmap(filepath.Join(dir, "const"), fig); err != nil {
		t.Fatal(err)
	}
	checkFigure(t, filepath.Join(dir, "const"), 500, 200)
	fig.Min, fig.Max = 0, 0.5
	if err := Heatmap(filepath.Join(dir, "fixed"), fig); err != nil {
		t.Fatal(err)
	}
}

func TestHeatmapErrors(t *testing.T) {
	g := testGrid(2, 3, 0)
	for name, fig := range map[string]HeatmapFigure{
		"no panels":      {},
		"empty":          {Panels: []HeatmapPanel{{}}},
		"row labels":     {Rows: []string{"a", "b", "c"}, Panels: []HeatmapPanel{{Values: g}}},
		"ragged":         {Panels: []HeatmapPanel{{Values: [][]float64{{1, 2}, {3}}}}},
		"panel mismatch": {Panels: []HeatmapPanel{{Values: g}, {Values: g[:1]}}},
		"NaN scale":      {Min: math.NaN(), Panels: []HeatmapPanel{{Values: g}}},
	} {
		if err := Heatmap(filepath.Join(t.TempDir(), "h"), fig); err == nil || !strings.HasPrefix(err.Error(), "report: heatmap") {
			t.Errorf("%s: error %v", name, err)
		}
	}
}

func TestHistogram(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var mu, gain, other []float64
	for range 5000 {
		m := r.NormFloat64()*3 + 4
		mu = append(mu, m)
		other = append(other, r.NormFloat64()+1)
		gain = append(gain, 1/(1-min(0.95/5*m, 0.95))) // FG-ReLU gain, spec §1
	}
	dir := t.TempDir()
	fig := HistFigure{Title: "feedback over the test set", Panels: []HistPanel{
		{Title: "apical input", XLabel: "μ_D", Density: true, Series: []HistSeries{{Name: "partial", Values: mu}, {Name: "comprehensive", Values: other}}},
		{Title: "gain", XLabel: "gain", LogY: true, Bins: 40, Series: []HistSeries{{Name: "partial", Values: gain}}},
		{Title: "one value", Series: []HistSeries{{Values: []float64{3, 3, 3}}}},
	}}
	if err := Histogram(filepath.Join(dir, "hist"), fig); err != nil {
		t.Fatal(err)
	}
	checkFigure(t, filepath.Join(dir, "hist"), 1000, 1200)
}

func TestHistogramErrors(t *testing.T) {
	for name, fig := range map[string]HistFigure{
		"no panels": {},
		"no series": {Panels: []HistPanel{{}}},
		"no values": {Panels: []HistPanel{{Series: []HistSeries{{Name: "x"}}}}},
		"NaN":       {Panels: []HistPanel{{Series: []HistSeries{{Values: []float64{1, math.NaN()}}}}}},
		"Inf":       {Panels: []HistPanel{{Series: []HistSeries{{Values: []float64{math.Inf(1)}}}}}},
		"bad bins":  {Panels: []HistPanel{{Bins: -1, Series: []HistSeries{{Values: []float64{1}}}}}},
	} {
		if err := Histogram(filepath.Join(t.TempDir(), "h"), fig); err == nil || !strings.HasPrefix(err.Error(), "report: histogram") {
			t.Errorf("%s: error %v", name, err)
		}
	}
}

func testScatterPanel(r *rand.Rand, n int, title string) ScatterPanel {
	p := ScatterPanel{Title: title}
	for range n {
		c := r.IntN(10)
		a := float64(c) / 10 * 2 * math.Pi
		p.X = append(p.X, 30*math.Cos(a)+r.NormFloat64()*6)
		p.Y = append(p.Y, 30*math.Sin(a)+r.NormFloat64()*6)
		p.Class = append(p.Class, c)
	}
	return p
}

func TestScatter(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	dir := t.TempDir()
	// 10 000 points per panel, as a t-SNE of the MNIST test set.
	fig := ScatterFigure{Title: "t-SNE", Panels: []ScatterPanel{
		testScatterPanel(r, 10000, "pass 1"), testScatterPanel(r, 10000, "pass 2"),
	}}
	if err := Scatter(filepath.Join(dir, "tsne"), fig); err != nil {
		t.Fatal(err)
	}
	checkFigure(t, filepath.Join(dir, "tsne"), 1200, 600)
	_, svgPath := Paths(filepath.Join(dir, "tsne"))
	if st, _ := os.Stat(svgPath); st.Size() > 2<<20 {
		t.Errorf("SVG of 20 000 points is %d bytes, want < 2 MiB", st.Size())
	}
	// Few points stay vectors; class names.
	small := ScatterFigure{ClassNames: []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"},
		Panels: []ScatterPanel{testScatterPanel(r, 300, "")}}
	if err := Scatter(filepath.Join(dir, "small"), small); err != nil {
		t.Fatal(err)
	}
	checkFigure(t, filepath.Join(dir, "small"), 500, 500)
	data, _ := os.ReadFile(filepath.Join(dir, "small.svg"))
	if n := bytes.Count(data, []byte("<path")); n < 300 {
		t.Errorf("small scatter SVG has %d paths, want ≥ 300 vector glyphs", n)
	}
}

func TestScatterErrors(t *testing.T) {
	for name, fig := range map[string]ScatterFigure{
		"no panels":   {},
		"no points":   {Panels: []ScatterPanel{{}}},
		"lengths":     {Panels: []ScatterPanel{{X: []float64{1, 2}, Y: []float64{1}, Class: []int{0, 1}}}},
		"class":       {Panels: []ScatterPanel{{X: []float64{1}, Y: []float64{1}, Class: []int{10}}}},
		"NaN":         {Panels: []ScatterPanel{{X: []float64{math.NaN()}, Y: []float64{1}, Class: []int{0}}}},
		"class names": {ClassNames: []string{"a"}, Panels: []ScatterPanel{{X: []float64{1, 2}, Y: []float64{1, 2}, Class: []int{0, 1}}}},
	} {
		if err := Scatter(filepath.Join(t.TempDir(), "s"), fig); err == nil || !strings.HasPrefix(err.Error(), "report: scatter") {
			t.Errorf("%s: error %v", name, err)
		}
	}
}

func ring(shift float64) Image {
	im := Image{H: 28, W: 28, C: 1, Pix: make([]float32, 28*28)}
	for y := range 28 {
		for x := range 28 {
			d := math.Hypot(float64(x)-14-shift, float64(y)-14)
			im.Pix[y*28+x] = float32(1 - math.Abs(d-8)/2) // clamped below 0
		}
	}
	return im
}

func TestImageRows(t *testing.T) {
	dir := t.TempDir()
	rgbImg := Image{H: 32, W: 32, C: 3, Pix: make([]float32, 32*32*3)}
	for i := range rgbImg.Pix {
		rgbImg.Pix[i] = float32(i%97) / 96
	}
	var in, out []Image
	for i := range 6 {
		in = append(in, ring(float64(i-3)))
		out = append(out, ring(float64(i-3)/2))
	}
	fig := ImageRowsFigure{Title: "reconstructions at σ = 2.0", Rows: []ImageRow{
		{Label: "input", Images: in}, {Label: "no feedback", Images: out}, {Label: "CIFAR", Images: []Image{rgbImg, rgbImg}},
	}}
	if err := ImageRows(filepath.Join(dir, "rows"), fig); err != nil {
		t.Fatal(err)
	}
	checkFigure(t, filepath.Join(dir, "rows"), 600, 300)
}

// Nearest-neighbour enlargement: a 1×2 red|blue image becomes exactly two
// k×k blocks of pure red and pure blue in the PNG, with no blended pixels.
func TestImageRowsNearestNeighbour(t *testing.T) {
	dir := t.TempDir()
	im := Image{H: 1, W: 2, C: 3, Pix: []float32{1, 0, 0, 0, 0, 1}}
	const dpi = 100
	fig := ImageRowsFigure{Rows: []ImageRow{{Images: []Image{im}}}, CellSize: 40 * 72 / dpi, DPI: dpi} // 40 px
	if err := ImageRows(filepath.Join(dir, "nn"), fig); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "nn.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	var red, blue, other int
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			switch c {
			case color.RGBA{255, 0, 0, 255}:
				red++
			case color.RGBA{0, 0, 255, 255}:
				blue++
			case color.RGBA{255, 255, 255, 255}:
			default:
				other++
			}
		}
	}
	const k = 20 // 40 px for 2 image pixels
	if red != k*k || blue != k*k || other != 0 {
		t.Errorf("red %d, blue %d, blended %d pixels; want %d, %d, 0", red, blue, other, k*k, k*k)
	}
}

func TestImageRowsErrors(t *testing.T) {
	good := ring(0)
	for name, fig := range map[string]ImageRowsFigure{
		"no rows":   {},
		"no images": {Rows: []ImageRow{{Label: "x"}}},
		"channels":  {Rows: []ImageRow{{Images: []Image{{H: 2, W: 2, C: 2, Pix: make([]float32, 8)}}}}},
		"length":    {Rows: []ImageRow{{Images: []Image{{H: 28, W: 28, C: 1, Pix: good.Pix[:700]}}}}},
		"NaN":       {Rows: []ImageRow{{Images: []Image{{H: 1, W: 1, C: 1, Pix: []float32{float32(math.NaN())}}}}}},
		"DPI":       {DPI: -1, Rows: []ImageRow{{Images: []Image{good}}}},
	} {
		if err := ImageRows(filepath.Join(t.TempDir(), "i"), fig); err == nil || !strings.HasPrefix(err.Error(), "report: image rows") {
			t.Errorf("%s: error %v", name, err)
		}
	}
}

func testVerdictFigure() VerdictFigure {
	claims := []string{"feedback beats none", "T > 2 gives no gain", "comprehensive ends better than partial"}
	settings := []string{"default", "lr 3e-4", "lr 3e-3", "batch 256"}
	verdicts := []string{"supported", "contradicted", "inconclusive", "not run", ""}
	cells := make([][]VerdictCell, len(claims))
	for r := range cells {
		for c := range settings {
			cells[r] = append(cells[r], VerdictCell{Verdict: verdicts[(r+c)%5], Effect: float64(r) - float64(c)/2})
		}
	}
	cells[0][0].Text = "d=1.2*"
	cells[1][1].Effect = math.NaN()
	return VerdictFigure{Title: "sensitivity", XLabel: "setting", Claims: claims, Settings: settings, Cells: cells}
}

func TestVerdicts(t *testing.T) {
	dir := t.TempDir()
	if err := Verdicts(filepath.Join(dir, "verdicts"), testVerdictFigure()); err != nil {
		t.Fatal(err)
	}
	checkFigure(t, filepath.Join(dir, "verdicts"), 700, 300)
}

func TestVerdictsErrors(t *testing.T) {
	bad := testVerdictFigure()
	bad.Cells[1][2].Verdict = "supportd"
	short := testVerdictFigure()
	short.Cells[2] = short.Cells[2][:1]
	for name, fig := range map[string]VerdictFigure{
		"empty":           {},
		"rows":            {Claims: []string{"a"}, Settings: []string{"s"}},
		"unknown verdict": bad,
		"short row":       short,
	} {
		if err := Verdicts(filepath.Join(t.TempDir(), "v"), fig); err == nil || !strings.HasPrefix(err.Error(), "report: verdicts") {
			t.Errorf("%s: error %v", name, err)
		}
	}
}

func TestPaths(t *testing.T) {
	for in, want := range map[string][2]string{
		"a/b":        {"a/b.png", "a/b.svg"},
		"a/b.png":    {"a/b.png", "a/b.svg"},
		"a/b.SVG":    {"a/b.png", "a/b.svg"},
		"a/b.v2":     {"a/b.v2.png", "a/b.v2.svg"},
		"grid-β_max": {"grid-β_max.png", "grid-β_max.svg"},
	} {
		if p, s := Paths(in); p != want[0] || s != want[1] {
			t.Errorf("Paths(%q) = %q, %q", in, p, s)
		}
	}
}

func TestLogTicks(t *testing.T) {
	labels := func(min, max float64) []string {
		var out []string
		for _, tk := range (logTicks{}).Ticks(min, max) {
			if tk.Label != "" {
				out = append(out, tk.Label)
			}
		}
		return out
	}
	if got := strings.Join(labels(0.04, 1.1), " "); got != "0.05 0.1 0.2 0.5 1" {
		t.Errorf("labels over [0.04, 1.1]: %s", got)
	}
	if got := strings.Join(labels(0.3, 0.9), " "); got != "0.3 0.4 0.5 0.6 0.7 0.8 0.9" {
		t.Errorf("labels over [0.3, 0.9]: %s", got)
	}
	if got := len(labels(1e-5, 10)); got < 3 {
		t.Errorf("labels over 6 decades: %d", got)
	}
}

// A figure that fails to write (missing folder) reports the path.
func TestWriteError(t *testing.T) {
	err := Verdicts(filepath.Join(t.TempDir(), "missing", "v"), testVerdictFigure())
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("error %v", err)
	}
}

func TestStrip(t *testing.T) {
	dir := t.TempDir()
	fig := StripFigure{Title: "Final test loss per repeat", Panels: []StripPanel{{
		YLabel: "test loss", Paired: true,
		Groups: []StripGroup{{"standard", []float64{0.118, 0.1095, 0.1096}}, {"feedback", []float64{0.1094, 0.1093, 0.118}}},
	}}}
	path := filepath.Join(dir, "strip")
	if err := Strip(path, fig); err != nil {
		t.Fatal(err)
	}
	png, svg := Paths(path)
	for _, f := range []string{png, svg} {
		if info, err := os.Stat(f); err != nil || info.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	fig.Panels[0].Groups[1].Values[0] = math.NaN()
	if err := Strip(path, fig); err == nil {
		t.Error("a NaN value was drawn")
	}
	if err := Strip(path, StripFigure{}); err == nil {
		t.Error("an empty figure was drawn")
	}
}
