package query

import "fmt"

// semanticWarnings are the sentences a response carries when its semantic
// leg cannot contribute for a reason the user can act on. It reads only
// the index's recorded fingerprint: no model is loaded to find out.
func (e *Engine) semanticWarnings() []string {
	info := e.st.Info()
	if !info.Embedder.Untrained() {
		return nil
	}
	papers := fmt.Sprintf("%d papers", info.Papers)
	if info.Papers == 1 {
		papers = "1 paper"
	}
	return []string{fmt.Sprintf("no semantic model yet: %s indexed so far, too few to learn one from, so these are keyword results only; a later `paperseek index` run learns it once there are enough", papers)}
}
