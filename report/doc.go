// Package report draws the figures of the reproduction and writes the HTML
// report that states, claim by claim, whether our runs support the paper.
//
// Figures: Curves (mean curves with confidence bands or error bars over
// epochs, stacked panels such as "pass 1" over "pass 2", optional log y),
// Heatmap (a β_max × η grid with values printed in the cells and a colour
// bar), Histogram (stacked panels, counts or density, optional log y),
// Scatter (2-D points coloured by class, panels side by side), ImageRows
// (labelled rows of small images, enlarged with nearest-neighbour scaling),
// Strip (every repeat's value per variant, with its median) and Verdicts (a
// claims × settings matrix coloured by verdict). Each writes
// a PNG and an SVG next to each other (see Paths) with gonum/plot, in its
// default embedded Liberation fonts: no system font is read. SVG files name
// the font family rather than embed it, so a viewer without Liberation fonts
// substitutes a similar one. Bad input (no data, mismatched lengths, NaN where
// a value is needed) returns an error that names the panel and series; no
// file is written then.
//
// WriteHTML writes report.html: a static page with inline CSS and no
// external URL, a summary table of claims and verdicts linked to one section
// per claim (its numbers with confidence intervals, effect sizes and
// p-values, its figures and notes). Verdicts are those of package stats;
// TestRow turns a claim's stats.Test into a row (exact interval, median, raw
// and Holm p, verdict, power), and WriteMarkdown writes the same verdicts as
// verdicts.md.
//
// CheckInBrowser loads a page in headless Chromium (Debian package chromium)
// and reports console errors, uncaught exceptions, failed loads and broken
// images, so tests can check a generated report.
package report
