/* Validates iCalendar files with libical, as calendar software that uses it would read them:
 * each file must parse as one VCALENDAR and pass icalrestriction_check, libical's RFC 5545 and
 * RFC 5546 (iTIP: what each METHOD requires) check. Every problem libical records is an
 * X-LIC-ERROR property; any one fails the file. libical has no VEVENT rules for a calendar
 * without METHOD (a feed, not an iTIP message), so such a file is checked under PUBLISH's rules
 * with ORGANIZER alone excused: PUBLISH requires one, RFC 5545 does not.
 * Usage: validate FILE...; exit 1 if any fails. */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Set while checking a calendar without METHOD under PUBLISH's rules. */
static int excuse_organizer = 0;

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
    if (buf) buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Prints and counts the X-LIC-ERROR properties of `c` and everything inside it. */
static int errors_in(icalcomponent *c, const char *path) {
    int n = 0;
    for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
        const char *what = icalproperty_get_xlicerror(p);
        if (excuse_organizer && strstr(what, "iTIP restrictions for ORGANIZER property")) continue;
        printf("%s: %s: %s\n", path, icalcomponent_kind_to_string(icalcomponent_isa(c)),
               icalproperty_get_xlicerror(p));
        n++;
    }
    for (icalcomponent *i = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); i;
         i = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
        n += errors_in(i, path);
    return n;
}

int main(int argc, char **argv) {
    int failed = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE...\n", argv[0]);
        return 2;
    }
    for (int a = 1; a < argc; a++) {
        char *text = slurp(argv[a]);
        if (!text) {
            printf("%s: cannot read\n", argv[a]);
            failed++;
            continue;
        }
        icalcomponent *cal = icalparser_parse_string(text);
        free(text);
        if (!cal || icalcomponent_isa(cal) != ICAL_VCALENDAR_COMPONENT) {
            printf("%s: not one VCALENDAR\n", argv[a]);
            failed++;
            if (cal) icalcomponent_free(cal);
            continue;
        }
        /* Parser errors first, then each inner component on its own: icalrestriction_check
         * stops at the first invalid component, which would hide the rest. */
        int n = errors_in(cal, argv[a]);
        int has_method = icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY) != NULL;
        excuse_organizer = !has_method;
        for (icalcomponent *i = icalcomponent_get_first_component(cal, ICAL_ANY_COMPONENT); i;
             i = icalcomponent_get_next_component(cal, ICAL_ANY_COMPONENT)) {
            icalcomponent *one = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
            for (icalproperty *p = icalcomponent_get_first_property(cal, ICAL_ANY_PROPERTY); p;
                 p = icalcomponent_get_next_property(cal, ICAL_ANY_PROPERTY))
                icalcomponent_add_property(one, icalproperty_new_clone(p));
            if (!has_method)
                icalcomponent_add_property(one, icalproperty_new_method(ICAL_METHOD_PUBLISH));
            icalcomponent_add_component(one, icalcomponent_new_clone(i));
            /* The count decides: an excused ORGANIZER still makes the check say invalid. */
            icalrestriction_check(one);
            icalcomponent *checked = icalcomponent_get_first_component(one, ICAL_ANY_COMPONENT);
            n += errors_in(checked, argv[a]);
            for (icalproperty *p = icalcomponent_get_first_property(one, ICAL_XLICERROR_PROPERTY);
                 p; p = icalcomponent_get_next_property(one, ICAL_XLICERROR_PROPERTY)) {
                printf("%s: VCALENDAR: %s\n", argv[a], icalproperty_get_xlicerror(p));
                n++;
            }
            icalcomponent_free(one);
        }
        if (n > 0) {
            printf("%s: FAILED (%d problems)\n", argv[a], n);
            failed++;
        } else {
            printf("%s: ok\n", argv[a]);
        }
        icalcomponent_free(cal);
    }
    printf("ical-validate: %d valid, %d invalid\n", argc - 1 - failed, failed);
    return failed ? 1 : 0;
}
