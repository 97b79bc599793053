/*
 * cs.h: the types shared by the C glue (glue.c) and the Go callbacks
 * (sqlitefn.go). It names SQLite types only as incomplete structs, so it is
 * valid both next to sqlite3ext.h (loadable build) and next to the
 * project's own declarations (in-process build), and in _cgo_export.h.
 */
#ifndef CUSTSEG_CS_H
#define CUSTSEG_CS_H

#include <stdint.h>

struct sqlite3;
struct sqlite3_context;
struct sqlite3_api_routines;

/* Value kinds; the numbers equal catalog.Type (Null, Integer, Double, Text). */
#define CS_NULL 0
#define CS_INT 1
#define CS_DOUBLE 2
#define CS_TEXT 3

/* One argument, read from its sqlite3_value by C before the call into Go,
 * so that Go makes no call back into C per argument. s aliases SQLite's
 * memory and is valid only during the call. */
typedef struct {
	int64_t i;
	double f;
	const char *s;
	int32_t n;
	int32_t t;
} cs_value;

/* A result, written by Go and emitted by C after the call. Text that fits
 * is copied by Go into buf (cap bytes on the C stack of the trampoline),
 * which saves a second cgo call; longer text Go sets itself.
 * set = 1 means Go already set the result itself (long text or error). */
typedef struct {
	int64_t i;
	double f;
	char *buf;
	int32_t cap;
	int32_t n;
	int32_t t;
	int32_t set;
} cs_result;

/* The extension's init function, the same for sqlite3_auto_extension and
 * for .load (through sqlite3_custseg_init). */
int custseg_init(struct sqlite3 *db, char **pzErrMsg, const struct sqlite3_api_routines *pApi);

/* Helpers Go calls (prefix csq_: ext/duckdb's glue uses cs_, and both link into one binary). */
int csq_create(struct sqlite3 *db, const char *name, int nArg, int flags, int aggregate, uintptr_t ud);
void csq_result_text(struct sqlite3_context *ctx, const char *s, int n);
void csq_result_error(struct sqlite3_context *ctx, const char *s, int n);
int csq_lookup_model(struct sqlite3 *db, const char *sql, const char *name, int nname, int64_t version,
	char **kind, char **spec, char **errmsg);
void csq_free(void *p);
int csq_interruptible(void);
int csq_is_interrupted(struct sqlite3 *db);

/* csq_lookup_model results. */
#define CS_FOUND 0
#define CS_NOT_FOUND 1
#define CS_NO_TABLE 2
#define CS_LOOKUP_ERROR 3

#endif
