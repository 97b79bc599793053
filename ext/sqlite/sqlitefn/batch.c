//go:build !custseg_loadable

/*
 * batch.c: the in-process build's internal SQL function
 * custseg_insert_batch(id), which inserts a batch of rows packed by Go
 * (batch_inproc.go) on the connection the function runs on. It reaches the
 * sqlite3* through sqlite3_context_db_handle, the public API, so no
 * driver's private fields are read. The loadable build has no such
 * function: nothing in a host shell can hand it a Go batch.
 */
#include <string.h>
#include "sqlite_decls.h"
#include "cs.h"
#include "_cgo_export.h"

int csq_insert_batch(struct sqlite3 *handle, const char *sql, int nrows, int ncols, const signed char *kinds,
	const long long *nums, const int *lens, const char *text, char **err, int *failed) {
	sqlite3 *db = (sqlite3 *)handle;
	sqlite3_stmt *st = 0;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, 0);
	if (rc != SQLITE_OK) {
		*err = sqlite3_mprintf("%s", sqlite3_errmsg(db));
		return rc;
	}
	for (int r = 0; r < nrows; r++) {
		for (int c = 0; c < ncols; c++) {
			int i = r * ncols + c;
			switch (kinds[i]) {
			case CS_INT:
				rc = sqlite3_bind_int64(st, c + 1, nums[i]);
				break;
			case CS_DOUBLE: {
				double d;
				memcpy(&d, &nums[i], sizeof d);
				rc = sqlite3_bind_double(st, c + 1, d);
				break;
			}
			case CS_TEXT:
				/* SQLITE_STATIC: the Go buffer outlives every step of this call. */
				rc = sqlite3_bind_text(st, c + 1, lens[i] ? text + nums[i] : "", lens[i], SQLITE_STATIC);
				break;
			default:
				rc = sqlite3_bind_null(st, c + 1);
			}
			if (rc != SQLITE_OK) {
				*err = sqlite3_mprintf("row %d column %d: %s", r + 1, c + 1, sqlite3_errmsg(db));
				*failed = r + 1;
				sqlite3_finalize(st);
				return rc;
			}
		}
		rc = sqlite3_step(st);
		if (rc != SQLITE_DONE) {
			*err = sqlite3_mprintf("row %d: %s", r + 1, sqlite3_errmsg(db));
			*failed = r + 1;
			sqlite3_finalize(st);
			return rc;
		}
		sqlite3_reset(st);
	}
	return sqlite3_finalize(st);
}

void csq_free_sqlite(void *p) { sqlite3_free(p); }

/* Go answers the number of rows inserted, or -1 after setting an error. */
static void cs_insert_batch(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
	int isid = sqlite3_value_type(argv[0]) == SQLITE_INTEGER;
	int64_t n;
	(void)argc; /* registered with nArg 1: SQLite rejects other counts */
	n = custsegSqliteInsertBatch(ctx, sqlite3_context_db_handle(ctx), isid, isid ? sqlite3_value_int64(argv[0]) : 0);
	if (n >= 0) {
		sqlite3_result_int64(ctx, n);
	}
}

/* SQLITE_DIRECTONLY: the function runs from top-level SQL only, never from
 * a trigger or view a database file could bring along. */
int csq_create_insert_batch(struct sqlite3 *db, const char *name) {
	return sqlite3_create_function_v2(db, name, 1, SQLITE_UTF8 | SQLITE_DIRECTONLY, NULL, cs_insert_batch, NULL,
		NULL, NULL);
}
