// Package browsertest loads a page in headless Chromium and reports what it saw: console errors,
// uncaught exceptions, images that did not load. It is test support for the HTML report, not
// part of it; it imports nothing of the project.
//
// Owns: test support only: no package imports it outside its tests.
package browsertest
