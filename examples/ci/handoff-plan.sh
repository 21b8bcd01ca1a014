#!/usr/bin/env bash
# The plan of a pull request, for CI: validates, plans, and writes the pull-request comment, the
# full text plan and the saved plan into one folder that the pipeline uploads as an artifact.
# Both examples in this folder call it (copy it beside your workflow, e.g. to ci/handoff-plan.sh).
#
#   bash ci/handoff-plan.sh oncall [more `handoff plan` options…]
#
# Exit status: 0 when the plan succeeded (with or without changes); otherwise the failing
# command's own exit status (1 error, 64 usage error, 128+N when Handoff was killed by signal N,
# e.g. 134 or 139 for a crash). Only `handoff plan --detailed-exitcode`'s 0 and 2 count as
# success: any other code is a failure, and the comment then shows what Handoff printed on
# standard error (the diagnostics, with file:line) instead of a plan.
#
# In every case the folder holds comment.md, which starts with the hidden marker
# <!-- handoff-plan --> so that the pipeline updates one comment in place on each push.
#
# Environment (all optional):
#   HANDOFF              the handoff executable (default: handoff on PATH)
#   HANDOFF_OUT          the folder to write (default: handoff-plan)
#   HANDOFF_PLAN_LINK    where the pipeline uploads that folder (a URL), named in the comment
#   HANDOFF_COMMENT_MAX  the longest comment, in bytes (default 60000: GitHub takes at most 65,536
#                        characters; GitLab 1,000,000; Bitbucket 32,768)
set -u

directory=${1:?usage: handoff-plan.sh DIR [handoff plan options…]}
shift
handoff=${HANDOFF:-handoff}
out=${HANDOFF_OUT:-handoff-plan}
link=${HANDOFF_PLAN_LINK:-}
limit=${HANDOFF_COMMENT_MAX:-60000}
case "$limit" in '' | *[!0-9]*) limit=60000 ;; esac
marker='<!-- handoff-plan -->'

mkdir -p "$out" || exit 1
comment="$out/comment.md"
rm -f "$comment" "$out/plan.md" "$out/plan.txt" "$out/plan.out" "$out/errors.txt"

where() {
    if [ -n "$link" ]; then
        printf 'The full text plan is `plan.txt` in the artifact %s of this run: %s\n' "\`$out\`" "$link"
    else
        printf 'The full text plan is `plan.txt` in the artifact `%s` of this run.\n' "$out"
    fi
}

# Text as it was printed, inside <pre> with &, < and > escaped: nothing in it becomes markup.
preformatted() {
    printf '<pre>\n'
    sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' "$1"
    printf '</pre>\n'
}

# At most $2 bytes of file $1, cut at a line end.
head_bytes() {
    awk -v budget="$2" '{ size += length($0) + 1; if (size > budget) exit; print }' "$1"
}

# A failure: the comment names the command and its exit status and shows what it printed.
fail() {
    local what=$1 code=$2 log=$3
    local reason="exited with $code"
    if [ "$code" -gt 128 ]; then reason="was killed by signal $((code - 128)) (exit $code): Handoff crashed"; fi
    head_bytes "$log" "$((limit - 1000))" > "$out/errors-head.txt"
    local cut=""
    if ! cmp -s "$log" "$out/errors-head.txt"; then cut=yes; fi
    if [ ! -s "$out/errors-head.txt" ]; then echo "(nothing)" > "$out/errors-head.txt"; fi
    {
        printf '%s\n### Handoff: `%s` failed\n\n`%s` %s; nothing was planned. What it printed:\n\n' "$marker" "$what" "$what" "$reason"
        preformatted "$out/errors-head.txt"
        if [ -n "$cut" ]; then printf '\n(cut short; the whole output is `errors.txt` in the artifact.)\n'; fi
    } > "$comment"
    rm -f "$out/errors-head.txt"
    cp "$log" "$out/errors.txt" 2>/dev/null
    printf 'error: %s %s\n' "$what" "$reason" >&2
    exit "$code"
}

# If this script itself stops unexpectedly, the comment still says so.
trap 'if [ ! -s "$comment" ]; then printf "%s\n### Handoff: the plan script stopped\n\nSee the job log.\n" "$marker" > "$comment"; fi' EXIT

# 1. Validate: diagnostics go to standard error, with file:line.
"$handoff" validate "$directory" > "$out/validate.log" 2>&1
code=$?
if [ "$code" -ne 0 ]; then fail "handoff validate $directory" "$code" "$out/validate.log"; fi

max_size=$((limit - 1000))
if [ "$max_size" -lt 2000 ]; then max_size=2000; fi
# 2. Plan, saving it: 0 no changes, 2 changes; anything else is a failure. Past --max-size the
# markdown is a table of every destination with its first handovers, naming plan.txt below.
"$handoff" plan "$directory" --format markdown --max-size "$max_size" --detailed-exitcode --out "$out/plan.out" "$@" > "$out/plan.md" 2> "$out/plan.err"
code=$?
case "$code" in
    0 | 2) ;;
    *) fail "handoff plan $directory" "$code" "$out/plan.err" ;;
esac
plan_code=$code

# 3. The full text plan, from the saved plan (no second request to PagerDuty).
"$handoff" show "$out/plan.out" > "$out/plan.txt" 2> "$out/show.err"
code=$?
if [ "$code" -ne 0 ]; then fail "handoff show $out/plan.out" "$code" "$out/show.err"; fi

# 4. The comment: the markdown plan when it fits, else its beginning and where the rest is.
size=$(wc -c < "$out/plan.md")
{
    printf '%s\n' "$marker"
    if [ "$size" -le "$((limit - 1000))" ]; then
        cat "$out/plan.md"
        printf '\n'
    else
        printf '### Handoff plan (%s bytes, too long for a comment)\n\n' "$size"
        printf 'The beginning of the plan:\n\n'
        head_bytes "$out/plan.txt" "$((limit - 2000))" > "$out/plan-head.txt"
        preformatted "$out/plan-head.txt"
        rm -f "$out/plan-head.txt"
        printf '\n'
    fi
    where
} > "$comment"

if [ "$plan_code" -eq 2 ]; then echo "handoff: the plan has changes"; else echo "handoff: no changes"; fi
exit 0
