/* test_value_api.c -- rp_value, the result the caller owns: a deep copy
 * that outlives the arena and the JSON documents it came from, accessors
 * that check the kind (RP_ETYPE) and reject NULL (RP_EINVAL), borrowed
 * elements of lists and maps, and rp_value_to_json in both forms
 * (raypolicy.h). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define STR(lit) val_string((lit), (uint32_t)(sizeof(lit) - 1))

static void expect_json(const rp_value *v, unsigned flags, const char *want)
{
    char *s = rp_value_to_json(v, flags);
    cr_assert_not_null(s);
    cr_expect_str_eq(s, want);
    rp_free(s);
}

Test(value_api, scalars)
{
    rp_value *v = rpi_value_export(val_int(-5));
    cr_assert_not_null(v);
    cr_expect_eq(rp_value_kind(v), RP_KIND_INT);
    int64_t i = 0;
    cr_expect_eq(rp_value_int(v, &i), RP_OK);
    cr_expect_eq(i, -5);
    uint64_t u;
    double d;
    int b;
    const char *p;
    cr_expect_eq(rp_value_uint(v, &u), RP_ETYPE);
    cr_expect_eq(rp_value_double(v, &d), RP_ETYPE);
    cr_expect_eq(rp_value_bool(v, &b), RP_ETYPE);
    cr_expect_eq(rp_value_string(v, &p, NULL), RP_ETYPE);
    cr_expect_eq(rp_value_int(v, NULL), RP_EINVAL);
    cr_expect_eq(rp_value_count(v), 0);
    cr_expect_null(rp_value_list_at(v, 0));
    expect_json(v, 0, "-5");
    expect_json(v, RP_JSON_TYPED, "{\"int64Value\":\"-5\"}");
    rp_value_free(v);

    v = rpi_value_export(val_uint(7));
    cr_expect_eq(rp_value_kind(v), RP_KIND_UINT);
    cr_expect_eq(rp_value_uint(v, &u), RP_OK);
    cr_expect_eq(u, 7);
    rp_value_free(v);

    v = rpi_value_export(val_double(0.5));
    cr_expect_eq(rp_value_double(v, &d), RP_OK);
    cr_expect_eq(d, 0.5);
    rp_value_free(v);

    v = rpi_value_export(val_bool(true));
    cr_expect_eq(rp_value_bool(v, &b), RP_OK);
    cr_expect_eq(b, 1);
    rp_value_free(v);

    v = rpi_value_export(val_null());
    cr_expect_eq(rp_value_kind(v), RP_KIND_NULL);
    expect_json(v, 0, "null");
    rp_value_free(v);

    v = rpi_value_export(val_type(&rpi_type_bytes));
    cr_expect_eq(rp_value_kind(v), RP_KIND_TYPE);
    size_t len;
    cr_expect_eq(rp_value_string(v, &p, &len), RP_OK);
    cr_expect_str_eq(p, "bytes");
    cr_expect_eq(len, 5);
    rp_value_free(v);

    v = rpi_value_export(val_timestamp(0, 0));
    cr_expect_eq(rp_value_kind(v), RP_KIND_TIMESTAMP);
    expect_json(v, 0, "\"1970-01-01T00:00:00Z\"");
    rp_value_free(v);
    v = rpi_value_export(val_duration(90, 0));
    cr_expect_eq(rp_value_kind(v), RP_KIND_DURATION);
    rp_value_free(v);
}

Test(value_api, strings_are_copied_and_terminated)
{
    char buf[8] = "ab\0cd";
    rp_value *v = rpi_value_export(val_bytes(buf, 5));
    memset(buf, 'x', sizeof buf);
    const char *p;
    size_t len;
    cr_expect_eq(rp_value_kind(v), RP_KIND_BYTES);
    cr_assert_eq(rp_value_string(v, &p, &len), RP_OK);
    cr_expect_eq(len, 5);
    cr_expect(memcmp(p, "ab\0cd", 6) == 0);
    rp_value_free(v);
}

/* The copy must survive the arena's reset and the JSON document's release. */
Test(value_api, deep_copy_outlives_its_sources)
{
    rpi_ctx cx = {0};
    cx.arena = rpi_arena_new(0);
    json_t *doc = json_loads("{\"name\": \"web\", \"ports\": [80, 443.5], \"on\": true}", 0, NULL);
    cr_assert_not_null(doc);
    rpi_list *l = rpi_list_new(&cx, 2);
    char *s = rpi_strbuf(&cx, 3);
    memcpy(s, "abc", 3);
    l->items[0] = val_string(s, 3);
    l->items[1] = rpi_val_from_json(doc);
    val keys[1] = {val_int(1)};
    val vals[1] = {val_list(l)};
    val m = rpi_map_build(&cx, keys, vals, 1);
    cr_assert_eq(m.kind, VK_MAP);

    rp_value *v = rpi_value_export(m);
    cr_assert_not_null(v);
    rpi_arena_reset(cx.arena);
    memset(rpi_arena_alloc(cx.arena, 4096), 0x5a, 4096);    /* scribble over the old data */
    json_decref(doc);
    rpi_arena_free(cx.arena);

    cr_expect_eq(rp_value_kind(v), RP_KIND_MAP);
    cr_assert_eq(rp_value_count(v), 1);
    int64_t k;
    cr_expect_eq(rp_value_int(rp_value_map_key_at(v, 0), &k), RP_OK);
    cr_expect_eq(k, 1);
    const rp_value *list = rp_value_map_value_at(v, 0);
    cr_assert_eq(rp_value_count(list), 2);
    const char *p;
    cr_expect_eq(rp_value_string(rp_value_list_at(list, 0), &p, NULL), RP_OK);
    cr_expect_str_eq(p, "abc");
    const rp_value *obj = rp_value_list_at(list, 1);
    cr_expect_eq(rp_value_kind(obj), RP_KIND_MAP);
    cr_assert_eq(rp_value_count(obj), 3);
    cr_expect_eq(rp_value_string(rp_value_map_key_at(obj, 0), &p, NULL), RP_OK);
    cr_expect_str_eq(p, "name");
    const rp_value *ports = rp_value_map_value_at(obj, 1);
    cr_expect_eq(rp_value_kind(ports), RP_KIND_LIST);
    double d;
    cr_expect_eq(rp_value_double(rp_value_list_at(ports, 1), &d), RP_OK);
    cr_expect_eq(d, 443.5);
    cr_expect_null(rp_value_list_at(ports, 2));
    cr_expect_null(rp_value_map_key_at(obj, 3));
    cr_expect_null(rp_value_map_key_at(ports, 0));

    expect_json(v, 0, "{\"1\":[\"abc\",{\"name\":\"web\",\"ports\":[80,443.5],\"on\":true}]}");
    expect_json(ports, RP_JSON_TYPED,
                "{\"listValue\":{\"values\":[{\"int64Value\":\"80\"},{\"doubleValue\":443.5}]}}");
    rp_value_free((rp_value *)ports);   /* borrowed: must be ignored */
    rp_value_free(v);
}

Test(value_api, optionals_and_empty_containers)
{
    rpi_ctx cx = {0};
    cx.arena = rpi_arena_new(0);
    const val *box = rpi_box(&cx, STR("x"));
    rp_value *v = rpi_value_export(val_optional(box));
    rpi_arena_free(cx.arena);
    cr_expect_eq(rp_value_kind(v), RP_KIND_OPTIONAL);
    expect_json(v, 0, "\"x\"");
    rp_value_free(v);

    v = rpi_value_export(val_optional(NULL));
    expect_json(v, 0, "null");
    rp_value_free(v);

    rpi_list empty = {0};
    v = rpi_value_export(val_list(&empty));
    cr_expect_eq(rp_value_count(v), 0);
    expect_json(v, 0, "[]");
    expect_json(v, RP_JSON_TYPED, "{\"listValue\":{}}");
    rp_value_free(v);
}

Test(value_api, null_handles)
{
    rp_value_free(NULL);
    cr_expect_eq(rp_value_kind(NULL), RP_KIND_NULL);
    cr_expect_eq(rp_value_count(NULL), 0);
    cr_expect_null(rp_value_to_json(NULL, 0));
    int b;
    cr_expect_eq(rp_value_bool(NULL, &b), RP_EINVAL);
    const char *p;
    cr_expect_eq(rp_value_string(NULL, &p, NULL), RP_EINVAL);
}
