//go:build !custseg_loadable

/*
 * math.c: SQLite's math functions (those SQLITE_ENABLE_MATH_FUNCTIONS
 * builds in: ln, exp, pow, ...) for the in-process build, whose SQLite
 * (mattn/go-sqlite3 without its sqlite_math_functions tag) lacks them,
 * while Debian's sqlite3 shell has them: the same SQL then runs in both.
 * The loadable build leaves them to the host.
 *
 * The callbacks follow SQLite 3.54's func.c (math1Func, math2Func,
 * logFunc, ceilingFunc, piFunc) line for line, so results agree with the
 * shell's: NULL for NULL or non-numeric arguments and out-of-domain
 * logarithms; a NaN result (sqrt(-1), acos(2)) is NULL, as
 * sqlite3_result_double stores NaN as NULL; an integer argument of
 * ceil/floor/trunc stays an integer.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include "sqlite_decls.h"
#include "cs.h"

#define CSQ_PI 3.141592653589793238462643383279502884

static double csq_ceil(double x) { return ceil(x); }
static double csq_floor(double x) { return floor(x); }
static double csq_trunc(double x) { return trunc(x); }
static double csq_deg_to_rad(double x) { return x * (CSQ_PI / 180.0); }
static double csq_rad_to_deg(double x) { return x * (180.0 / CSQ_PI); }

static int csq_numeric(sqlite3_value *v) {
	int t = sqlite3_value_numeric_type(v);
	return t == SQLITE_INTEGER || t == SQLITE_FLOAT;
}

static void csq_ceiling(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
	(void)argc;
	switch (sqlite3_value_numeric_type(argv[0])) {
	case SQLITE_INTEGER:
		sqlite3_result_int64(ctx, sqlite3_value_int64(argv[0]));
		break;
	case SQLITE_FLOAT: {
		double (*x)(double) = (double (*)(double))sqlite3_user_data(ctx);
		sqlite3_result_double(ctx, x(sqlite3_value_double(argv[0])));
		break;
	}
	default:
		break;
	}
}

static void csq_math1(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
	(void)argc;
	if (!csq_numeric(argv[0])) {
		return;
	}
	double (*x)(double) = (double (*)(double))sqlite3_user_data(ctx);
	sqlite3_result_double(ctx, x(sqlite3_value_double(argv[0])));
}

static void csq_math2(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
	(void)argc;
	if (!csq_numeric(argv[0]) || !csq_numeric(argv[1])) {
		return;
	}
	double (*x)(double, double) = (double (*)(double, double))sqlite3_user_data(ctx);
	sqlite3_result_double(ctx, x(sqlite3_value_double(argv[0]), sqlite3_value_double(argv[1])));
}

/* ln(x), log(x) = log10(x), log10(x), log2(x) (user data 0, 1, 1, 2) and
 * log(b, x). As in func.c, the two-argument form checks the type of b
 * only and reads x as a double (a non-numeric x reads as 0: NULL). */
static void csq_log(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
	double x, b, ans;
	if (!csq_numeric(argv[0])) {
		return;
	}
	x = sqlite3_value_double(argv[0]);
	if (x <= 0.0) {
		return;
	}
	if (argc == 2) {
		b = log(x);
		if (b <= 0.0) {
			return;
		}
		x = sqlite3_value_double(argv[1]);
		if (x <= 0.0) {
			return;
		}
		ans = log(x) / b;
	} else {
		switch ((int)(intptr_t)sqlite3_user_data(ctx)) {
		case 1:
			ans = log10(x);
			break;
		case 2:
			ans = log2(x);
			break;
		default:
			ans = log(x);
			break;
		}
	}
	sqlite3_result_double(ctx, ans);
}

static void csq_pi(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
	(void)argc;
	(void)argv;
	sqlite3_result_double(ctx, CSQ_PI);
}

typedef void (*csq_xfunc)(sqlite3_context *, int, sqlite3_value **);

static const struct {
	const char *name;
	int nargs;
	void *ud;
	csq_xfunc fn;
} csq_math_functions[] = {
	{"ceil", 1, (void *)csq_ceil, csq_ceiling},
	{"ceiling", 1, (void *)csq_ceil, csq_ceiling},
	{"floor", 1, (void *)csq_floor, csq_ceiling},
	{"trunc", 1, (void *)csq_trunc, csq_ceiling},
	{"ln", 1, (void *)0, csq_log},
	{"log", 1, (void *)1, csq_log},
	{"log10", 1, (void *)1, csq_log},
	{"log2", 1, (void *)2, csq_log},
	{"log", 2, (void *)0, csq_log},
	{"exp", 1, (void *)exp, csq_math1},
	{"pow", 2, (void *)pow, csq_math2},
	{"power", 2, (void *)pow, csq_math2},
	{"mod", 2, (void *)fmod, csq_math2},
	{"acos", 1, (void *)acos, csq_math1},
	{"asin", 1, (void *)asin, csq_math1},
	{"atan", 1, (void *)atan, csq_math1},
	{"atan2", 2, (void *)atan2, csq_math2},
	{"cos", 1, (void *)cos, csq_math1},
	{"sin", 1, (void *)sin, csq_math1},
	{"tan", 1, (void *)tan, csq_math1},
	{"cosh", 1, (void *)cosh, csq_math1},
	{"sinh", 1, (void *)sinh, csq_math1},
	{"tanh", 1, (void *)tanh, csq_math1},
	{"acosh", 1, (void *)acosh, csq_math1},
	{"asinh", 1, (void *)asinh, csq_math1},
	{"atanh", 1, (void *)atanh, csq_math1},
	{"sqrt", 1, (void *)sqrt, csq_math1},
	{"radians", 1, (void *)csq_deg_to_rad, csq_math1},
	{"degrees", 1, (void *)csq_rad_to_deg, csq_math1},
	{"pi", 0, (void *)0, csq_pi},
};

/* csq_register_math registers the functions above on db, deterministic and
 * innocuous like SQLite's own; it returns the first failing code. */
int csq_register_math(struct sqlite3 *handle) {
	sqlite3 *db = (sqlite3 *)handle;
	size_t i;
	for (i = 0; i < sizeof csq_math_functions / sizeof csq_math_functions[0]; i++) {
		int rc = sqlite3_create_function_v2(db, csq_math_functions[i].name, csq_math_functions[i].nargs,
			SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, csq_math_functions[i].ud,
			csq_math_functions[i].fn, 0, 0, 0);
		if (rc != SQLITE_OK) {
			return rc;
		}
	}
	return SQLITE_OK;
}
