// Added by the Bespoke local stack (deploy/local/ferretdb/_patch).

package handler

import "sync"

// collectionLocks makes each update, findAndModify and delete atomic with respect to the
// others on the same collection, as single-document writes are in MongoDB.
var collectionLocks sync.Map

func lockCollection(db, collection string) func() {
	mu, _ := collectionLocks.LoadOrStore(db+"."+collection, &sync.Mutex{})
	m := mu.(*sync.Mutex)
	m.Lock()
	return m.Unlock
}
