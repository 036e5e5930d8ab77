#!/usr/bin/env bash
# Reruns the repro commands of the December 2026 reliability report (shared/reports/reliability-2026-12.md),
# shortened where the report ran long loops, and prints what each prints now.
# Usage: docs/reliability-repro.sh [ACCORD_BINARY]   (default: target/debug/accord)
# Runs in a scratch folder under /tmp; hang-prone probes run under `timeout` and a memory limit.
set -u
A=$(realpath "${1:-target/debug/accord}")
T=$(mktemp -d /tmp/accord-repro.XXXXXX)
cd "$T" || exit 1
say() { printf '\n== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@" 2>&1 | head -c 600; printf '  [rc %s]\n' "${PIPESTATUS[0]}"; }
acc() { run "$A" "$@"; }
fresh() { rm -rf p.accord p.accord-* p.accord.*; cp base/demo.accord p.accord; }

mkdir base && "$A" demo --out base/demo.accord >/dev/null 2>&1

say "D1 export --out the project"
fresh
acc export p.accord excerpts --format csv --out p.accord
fresh; acc codings export p.accord --out p.accord
fresh; acc codebook export p.accord --out p.accord
fresh; acc export p.accord qdpx --out p.accord
acc transcripts list p.accord

say "D2 restore while an import runs"
fresh
mkdir -p src
for i in $(seq 1 30); do
  python3 - "$i" > "src/G$i.txt" <<'EOF'
import sys
i = int(sys.argv[1])
print("\n\n".join(f"Interviewer: question {n} of file {i}?\n\nP{i:02}: answer number {n} " + "words " * 40 for n in range(3000)))
EOF
done
"$A" backup p.accord >/dev/null 2>&1
"$A" import p.accord src/ > import.out 2>&1 &
sleep 1.5
acc restore p.accord 1
wait
printf 'import printed: %s\n' "$(tail -2 import.out | tr '\n' ' ')"
acc transcripts list p.accord

say "D3 two loops of accord code with an index on disk"
fresh
"$A" search p.accord x >/dev/null 2>&1
n0=$("$A" codings list p.accord -t P02_interview --json 2>/dev/null | grep -c '"coding_id"')
( for i in $(seq 20); do "$A" code p.accord -t P02_interview -c Peerness -r "Maya Chen" --span $((i*3))..$((i*3+20)) >/dev/null 2>&1; echo "a$?"; done ) > loop1 &
( for i in $(seq 20); do "$A" code p.accord -t P02_interview -c Peerness -r "Jordan Ellis" --span $((5000+i*3))..$((5020+i*3)) >/dev/null 2>&1; echo "b$?"; done ) > loop2 &
( for i in $(seq 20); do "$A" search p.accord peer >/dev/null 2>&1; echo "s$?"; done ) > loop3
wait
printf 'failed codes: %s of 40; failed searches: %s of 20\n' "$(grep -vc '0$' <(cat loop1 loop2))" "$(grep -vc '0$' loop3)"
printf 'codings added on P02: %s (40 commands ran)\n' "$(( $("$A" codings list p.accord -t P02_interview --json 2>/dev/null | grep -c '"coding_id"') - n0 ))"

say "D4 undo a merge, change something, merge again"
fresh
"$A" rater add p.accord Ana >/dev/null 2>&1
acc rater-file p.accord --rater Ana --transcripts P01_interview --out ana.accord
for i in $(seq 5); do ACCORD_QUIET=1 "$A" code ana.accord -t P01_interview -c Peerness -r Ana --span $((i*40))..$((i*40+30)) >/dev/null 2>&1; done
acc merge p.accord ana.accord
acc undo p.accord
acc code p.accord -t P01_interview -c Peerness -r "Maya Chen" --span 50..90
acc merge p.accord ana.accord
printf 'Ana live codings: %s\n' "$("$A" codings list p.accord --rater Ana 2>/dev/null | grep -c P01)"

say "D5 CSV formula injection"
fresh
printf 'Interviewer: =HYPERLINK("http://evil.example/x","click") typed.\n\nP50: +cmd|%s!A0 more.\n' "' /C calc'" > P50_interview.txt
"$A" import p.accord P50_interview.txt >/dev/null 2>&1
"$A" code p.accord -t P50_interview -c Peerness -r "Maya Chen" --turns 1-2 >/dev/null 2>&1
"$A" export p.accord excerpts --out ex.csv >/dev/null 2>&1
printf 'cells starting with = or +: %s\n' "$(grep -cE '(^|,)"?[=+]' ex.csv)"
grep -oE '.{0,3}(HYPERLINK|cmd\|).{0,10}' ex.csv | head -3

say "D6 de-identify while another connection holds a read"
fresh
printf 'name,pseudonym\nWhitfield,Brown\n' > names.csv
before=$(grep -c Whitfield p.accord)
python3 -c 'import sqlite3,time; c=sqlite3.connect("p.accord",isolation_level=None); c.execute("BEGIN"); c.execute("select count(*) from transcripts").fetchone(); time.sleep(25)' &
sleep 1
acc deidentify p.accord --list names.csv --apply
printf 'Whitfield in p.accord before: %s, right after: %s\n' "$before" "$(grep -c Whitfield p.accord)"
wait
acc history p.accord
printf 'Whitfield in p.accord after the reader closed and one more command: %s\n' "$(grep -c Whitfield p.accord)"

say "D7b erase via a symlinked path"
rm -rf real work; mkdir real work; cp base/demo.accord real/study.accord
ln -s ../real/study.accord work/study.accord
"$A" backup real/study.accord >/dev/null 2>&1
acc transcripts erase work/study.accord P07_interview --yes
printf 'files still holding P07 text: %s\n' "$(grep -rlF "close her door and let me vent" real/ work/ | tr '\n' ' ')"

say "D8 a 0600 project"
fresh; chmod 600 p.accord
"$A" backup p.accord >/dev/null 2>&1
"$A" search p.accord x >/dev/null 2>&1
"$A" export p.accord excerpts --out ex8.csv >/dev/null 2>&1
"$A" restore p.accord 1 >/dev/null 2>&1
stat -c '%a %n' p.accord p.accord.backups/* p.accord.index ex8.csv 2>/dev/null | head -6

say "D9 ten refused merges after a manual backup"
fresh
"$A" backup p.accord >/dev/null 2>&1
echo "not a project" > junk.accord
for i in $(seq 10); do "$A" merge p.accord junk.accord >/dev/null 2>&1; done
printf 'by-hand backups left: %s\n' "$(ls p.accord.backups | grep -c by-hand)"

say "D10 XLSX with an excerpt over 32,767 characters"
fresh
python3 -c 'print("Interviewer: hello?\n\nP60: " + "word " * 11000)' > P60_interview.txt
"$A" import p.accord P60_interview.txt >/dev/null 2>&1
"$A" code p.accord -t P60_interview -c Peerness -r "Maya Chen" --turns 2 >/dev/null 2>&1
acc export p.accord excerpts --out all.xlsx

say "D11 symlink to /dev/zero, FIFO"
fresh
ln -sf /dev/zero zero.txt; rm -f fifo.txt; mkfifo fifo.txt
( ulimit -v 3000000; run timeout 20 "$A" import p.accord zero.txt )
run timeout 10 "$A" import p.accord fifo.txt
mkfifo f.accord; run timeout 10 "$A" transcripts list f.accord

say "D12 read-only folder (tmpfs mounted read-only)"
mkdir -p ro; fresh
if mount -t tmpfs -o size=20m tmpfs ro 2>/dev/null; then
  cp p.accord ro/; mount -o remount,ro ro
  acc transcripts list ro/p.accord
  umount ro
else echo "(cannot mount here)"; fi

say "D13 a 20,000-level code chain"
python3 -c '
print("[codebook]\nname=\"deep\"")
for i in range(20000):
    print("[[codes]]\nname=\"c%d\"" % i + ("\nparent=\"c%d\"" % (i-1) if i else ""))' > deep.toml
fresh
run timeout 20 "$A" codebook import p.accord deep.toml

say "D14 search --limit huge"
fresh
acc search p.accord peer --limit 1000000000
acc search p.accord peer --limit 18446744073709551615

say "D15 planted <out>.tmp symlink"
fresh; echo "victim" > victim.txt
ln -sf victim.txt out2.csv.tmp
"$A" export p.accord excerpts --out out2.csv >/dev/null 2>&1
printf 'victim.txt first line now: %s\n' "$(head -c 40 victim.txt)"

say "D16 restore through a symlinked project"
rm -rf real work; mkdir real work; cp base/demo.accord real/study.accord
ln -s ../real/study.accord work/study.accord
"$A" backup real/study.accord >/dev/null 2>&1
acc restore work/study.accord 1
printf 'work/study.accord is a symlink: %s\n' "$([ -L work/study.accord ] && echo yes || echo no)"

say "D17 a user folder named <project>.index"
cp base/demo.accord noext; mkdir -p noext.index/important; echo "my chapter" > noext.index/important/chapter1.txt
acc search noext peer --limit 1
printf 'chapter1.txt still there: %s\n' "$([ -e noext.index/important/chapter1.txt ] && echo yes || echo no)"

say "D19 a regular file at the index path"
fresh; rm -rf p.accord.index; echo "stray" > p.accord.index
acc search p.accord peer --limit 1
acc code p.accord -t P02_interview -c Peerness -r "Maya Chen" --span 10..30
rm -f p.accord.index

say "D20 64 random bytes in the middle of the project"
fresh
python3 -c 'import os; f=open("p.accord","r+b"); f.seek(os.path.getsize("p.accord")//2); f.write(os.urandom(64))'
acc codings list p.accord
acc code p.accord -t P02_interview -c Peerness -r "Maya Chen" --span 10..30
acc backup p.accord

say "D21 passphrase with a trailing newline; control characters; markdown"
rm -f x.accord; run env ACCORD_PASSPHRASE=$'longsecret1\n' "$A" new x.accord --encrypt
fresh
acc rater add p.accord $'Ctl\x02Rater'
"$A" code p.accord -t P02_interview -c Peerness -r "Maya Chen" --span 10..30 --memo $'bell\x01 esc\x1b[31m <script>alert(1)</script>' >/dev/null 2>&1
"$A" export p.accord excerpts --out m.docx >/dev/null 2>&1
python3 -c 'import zipfile,xml.dom.minidom as m; m.parseString(zipfile.ZipFile("m.docx").read("word/document.xml")); print("document.xml parses")' 2>&1 | tail -1
"$A" export p.accord excerpts --format markdown --out m.md >/dev/null 2>&1
printf 'raw <script> in markdown: %s\n' "$(grep -c '<script>' m.md)"

echo; echo "scratch folder: $T"
