# The misuse table and the HEAP_DEBUG layer (included by the Makefile).
#   make heap-table   rewrite the misuse table in docs/heap.md from what the
#                     designs do now (tests/host/test_heap_misuse.c compares
#                     the two on every make test)
.PHONY: heap-table
heap-table: $(B)/host/test_heap_misuse
	@KILN_WRITE_TABLE=1 ASAN_OPTIONS=detect_leaks=1 $< >/dev/null && git --no-pager diff --stat -- docs/heap.md
