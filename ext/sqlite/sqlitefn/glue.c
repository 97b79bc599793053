/*
 * glue.c: registration of every catalog function with SQLite and the C
 * trampolines SQLite calls. The same source serves both builds:
 *
 *   - in-process (default): direct calls into the SQLite that
 *     github.com/mattn/go-sqlite3 links in, declared in sqlite_decls.h;
 *   - loadable (build tag custseg_loadable, which defines CUSTSEG_LOADABLE):
 *     sqlite3ext.h turns every sqlite3_xxx call below into
 *     sqlite3_api->xxx, the routines of the host that loads the .so.
 *
 * The trampolines read all arguments into a cs_value array before the one
 * call into Go, so a row costs one C->Go transition.
 */
#ifdef CUSTSEG_LOADABLE
/* Private name: a global "sqlite3_api" could clash with the host's. */
#define sqlite3_api custseg_sqlite3_api
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1
#else
#include "sqlite_decls.h"
#endif

#include <stdlib.h>
#include <string.h>
#include "cs.h"
#include "_cgo_export.h"

/* Arguments up to this count live on the C stack; more are allocated. */
#define CS_STACK_ARGS 16

/* Text results up to this size are copied through the trampoline's stack. */
#define CS_TEXT_BUF 256

/* cs_fill converts argv into vals; it returns 0, or 1 when SQLite ran out
 * of memory converting text (the result is then already set). */
static int cs_fill(sqlite3_context *ctx, int argc, sqlite3_value **argv, cs_value *vals) {
	int i;
	for (i = 0; i < argc; i++) {
		sqlite3_value *v = argv[i];
		cs_value *o = &vals[i];
		switch (sqlite3_value_type(v)) {
		case SQLITE_INTEGER:
			o->t = CS_INT;
			o->i = sqlite3_value_int64(v);
			break;
		case SQLITE_FLOAT:
			o->t = CS_DOUBLE;
			o->f = sqlite3_value_double(v);
			break;
		case SQLITE_TEXT:
			o->t = CS_TEXT;
			o->s = (const char *)sqlite3_value_text(v);
			o->n = sqlite3_value_bytes(v);
			if (o->s == NULL) {
				sqlite3_result_error_nomem(ctx);
				return 1;
			}
			break;
		case SQLITE_BLOB:
			/* The catalog has no blob type: a blob is read as its bytes. */
			o->t = CS_TEXT;
			o->s = (const char *)sqlite3_value_blob(v);
			o->n = sqlite3_value_bytes(v);
			if (o->s == NULL) {
				o->s = "";
				o->n = 0;
			}
			break;
		default:
			o->t = CS_NULL;
			break;
		}
	}
	return 0;
}

static void cs_emit(sqlite3_context *ctx, const cs_result *r) {
	if (r->set) {
		return;
	}
	switch (r->t) {
	case CS_INT:
		sqlite3_result_int64(ctx, r->i);
		break;
	case CS_DOUBLE:
		sqlite3_result_double(ctx, r->f);
		break;
	case CS_TEXT:
		sqlite3_result_text(ctx, r->buf, r->n, SQLITE_TRANSIENT);
		break;
	default:
		sqlite3_result_null(ctx);
		break;
	}
}

static cs_value *cs_args(sqlite3_context *ctx, int argc, cs_value *stack) {
	cs_value *vals = stack;
	if (argc > CS_STACK_ARGS) {
		vals = (cs_value *)sqlite3_malloc((int)(argc * sizeof(cs_value)));
		if (vals == NULL) {
			sqlite3_result_error_nomem(ctx);
		}
	}
	return vals;
}

/*
 * cs_statement_start reports whether this is the first custseg call of the
 * current execution of a statement, so that the binding re-reads the model
 * registry once per statement: a model inserted by the previous statement
 * is seen by the next one, whatever the catalog's caches hold.
 *
 * It relies on auxiliary data with a negative index, which SQLite keeps for
 * the whole statement execution across all function calls (vdbeapi.c,
 * "iArg<0") and drops at reset. The public documentation reserves negative
 * indexes, so the result is checked: where the marker does not stick (an
 * SQLite without the behaviour, or evaluation during query planning), this
 * returns 0 and the catalog's time-bounded cache (catalog.NameTTL) applies.
 */
#define CS_AUX_STATEMENT (-0x637573)
static int cs_marker;

static int cs_statement_start(sqlite3_context *ctx) {
	if (sqlite3_get_auxdata(ctx, CS_AUX_STATEMENT) != NULL) {
		return 0;
	}
	sqlite3_set_auxdata(ctx, CS_AUX_STATEMENT, &cs_marker, NULL);
	return sqlite3_get_auxdata(ctx, CS_AUX_STATEMENT) != NULL;
}

static void cs_scalar(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
	cs_value stack[CS_STACK_ARGS];
	char text[CS_TEXT_BUF];
	cs_result out;
	cs_value *vals = cs_args(ctx, argc, stack);
	if (vals == NULL) {
		return;
	}
	memset(&out, 0, sizeof out);
	out.buf = text;
	out.cap = CS_TEXT_BUF;
	if (cs_fill(ctx, argc, argv, vals) == 0) {
		custsegSqliteScalar(ctx, (uintptr_t)sqlite3_user_data(ctx), cs_statement_start(ctx), argc, vals, &out);
		cs_emit(ctx, &out);
	}
	if (vals != stack) {
		sqlite3_free(vals);
	}
}

static void cs_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
	cs_value stack[CS_STACK_ARGS];
	cs_result out;
	cs_value *vals;
	/* 8 zeroed bytes per group, kept by SQLite until xFinal: they hold a
	 * runtime/cgo.Handle of the Go aggregate state. */
	uintptr_t *slot = (uintptr_t *)sqlite3_aggregate_context(ctx, (int)sizeof(uintptr_t));
	if (slot == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	vals = cs_args(ctx, argc, stack);
	if (vals == NULL) {
		return;
	}
	memset(&out, 0, sizeof out);
	if (cs_fill(ctx, argc, argv, vals) == 0) {
		custsegSqliteStep(ctx, (uintptr_t)sqlite3_user_data(ctx), cs_statement_start(ctx), slot, argc, vals, &out);
	}
	if (vals != stack) {
		sqlite3_free(vals);
	}
}

static void cs_final(sqlite3_context *ctx) {
	char text[CS_TEXT_BUF];
	cs_result out;
	/* NULL when no row reached xStep (an empty group). */
	uintptr_t *slot = (uintptr_t *)sqlite3_aggregate_context(ctx, 0);
	memset(&out, 0, sizeof out);
	out.buf = text;
	out.cap = CS_TEXT_BUF;
	custsegSqliteFinal(ctx, (uintptr_t)sqlite3_user_data(ctx), slot, &out);
	cs_emit(ctx, &out);
}

static void cs_destroy(void *ud) {
	custsegSqliteDestroy((uintptr_t)ud);
}

int csq_create(struct sqlite3 *db, const char *name, int nArg, int flags, int aggregate, uintptr_t ud) {
	if (aggregate) {
		return sqlite3_create_function_v2(db, name, nArg, flags, (void *)ud,
			NULL, cs_step, cs_final, cs_destroy);
	}
	return sqlite3_create_function_v2(db, name, nArg, flags, (void *)ud,
		cs_scalar, NULL, NULL, cs_destroy);
}

void csq_result_text(struct sqlite3_context *ctx, const char *s, int n) {
	if (s == NULL) {
		s = ""; /* a NULL pointer would make the result SQL NULL */
	}
	sqlite3_result_text(ctx, s, n, SQLITE_TRANSIENT);
}

void csq_result_error(struct sqlite3_context *ctx, const char *s, int n) {
	sqlite3_result_error(ctx, s, n);
}

static char *cs_strdup(const char *s, int n) {
	char *p = (char *)malloc((size_t)n + 1);
	if (p != NULL) {
		memcpy(p, s, (size_t)n);
		p[n] = 0;
	}
	return p;
}

/* csq_lookup_model reads the model registry through connection db with sql
 * (ext/internal/lookup.SQL, handed over by Go). The strings it returns are
 * malloc'd; the caller frees them with csq_free. */
int csq_lookup_model(struct sqlite3 *db, const char *sql, const char *name, int nname, int64_t version,
	char **kind, char **spec, char **errmsg) {
	sqlite3_stmt *st = NULL;
	int rc;
	*kind = *spec = *errmsg = NULL;
	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		const char *m = sqlite3_errmsg(db);
		*errmsg = cs_strdup(m, (int)strlen(m));
		sqlite3_finalize(st);
		/* A missing table is plain SQLITE_ERROR (no extended code tells it
		 * from a syntax error), so its message is the only sign: SQLite's
		 * "no such table: custseg_models". */
		return strncmp(m, "no such table", 13) == 0 ? CS_NO_TABLE : CS_LOOKUP_ERROR;
	}
	sqlite3_bind_text(st, 1, name, nname, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, version);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		int nk = sqlite3_column_bytes(st, 0);
		const char *s = (const char *)sqlite3_column_text(st, 1);
		int ns = sqlite3_column_bytes(st, 1);
		*kind = cs_strdup(k ? k : "", k ? nk : 0);
		*spec = cs_strdup(s ? s : "", s ? ns : 0);
		rc = CS_FOUND;
	} else if (rc == SQLITE_DONE) {
		rc = CS_NOT_FOUND;
	} else {
		const char *m = sqlite3_errmsg(db);
		*errmsg = cs_strdup(m, (int)strlen(m));
		rc = CS_LOOKUP_ERROR;
	}
	sqlite3_finalize(st);
	return rc;
}

void csq_free(void *p) { free(p); }

/*
 * csq_interruptible reports whether csq_is_interrupted can see an
 * interrupt of db (sqlite3_interrupt, which database/sql's context
 * cancellation calls on mattn): always in process (SQLite 3.54), and in
 * the loadable build only when both the sqlite3ext.h it was built with and
 * the host's SQLite have sqlite3_is_interrupted (3.41.0). A host without
 * it (Debian 12's sqlite3 shell, 3.40.1, whose routine table ends before
 * that slot) leaves a long silhouette uncancellable from inside the
 * function: the shell's Ctrl-C then takes effect when it returns.
 */
int csq_interruptible(void) {
#ifdef CUSTSEG_LOADABLE
#ifdef sqlite3_is_interrupted
	return sqlite3_libversion_number() >= 3041000;
#else
	return 0;
#endif
#else
	return 1;
#endif
}

/* csq_is_interrupted is sqlite3_is_interrupted(db); call it only when
 * csq_interruptible() says so. Safe from any thread. */
int csq_is_interrupted(struct sqlite3 *db) {
#if !defined(CUSTSEG_LOADABLE) || defined(sqlite3_is_interrupted)
	return sqlite3_is_interrupted(db);
#else
	(void)db;
	return 0;
#endif
}

int custseg_init(struct sqlite3 *db, char **pzErrMsg, const struct sqlite3_api_routines *pApi) {
	char *err = NULL;
	int rc;
#ifdef CUSTSEG_LOADABLE
	if (pApi == NULL) {
		/* No routines to call, not even sqlite3_mprintf for a message. */
		return SQLITE_ERROR;
	}
	SQLITE_EXTENSION_INIT2(pApi);
#else
	(void)pApi; /* the in-process build calls SQLite directly */
#endif
	rc = custsegSqliteRegister(db, &err);
	if (rc != SQLITE_OK) {
		if (pzErrMsg != NULL) {
			/* Go's message starts with the package's prefix ("custseg sqlite: "). */
			*pzErrMsg = sqlite3_mprintf("%s", err ? err : "custseg sqlite: registration failed");
		}
	}
	free(err);
	return rc;
}
