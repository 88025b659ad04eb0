package weaviate

import "testing"

// ObjectID must be the UUIDv5 every other Weaviate client computes for the
// same id (Python: uuid.uuid5(uuid.NAMESPACE_DNS, id)), or a user looking a
// paper up from another client finds nothing.
func TestObjectIDMatchesPythonUUID5(t *testing.T) {
	for _, tt := range []struct{ id, want string }{
		{"python.org", "886313e1-3b8a-5372-9b90-0c9aee199e5d"}, // the example in Python's uuid docs
		{"0704.0001", "7881cb01-fdc1-56a7-b588-f4a48d755315"},
		{"4983", "ea88783a-25f6-56f9-b349-5b19309ed9cd"},
		{"doi:10.1/x", "c84fb20d-915c-5ca4-a1b7-9ed28385bd9f"},
		{"é", "ebfe0af8-3997-5ade-b634-ba92cf69f557"},
	} {
		if got := ObjectID(tt.id); got != tt.want {
			t.Errorf("ObjectID(%q) = %s, want %s", tt.id, got, tt.want)
		}
	}
}
