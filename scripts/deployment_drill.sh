#!/bin/bash
# The deployment and restore drill of docs/deployment.md ("Tried on a fresh machine"), repeated.
#
# NOT RUN IN CI: it needs root, debootstrap, systemd-nspawn, the Debian mirror, about 3 GB in
# /var/tmp and 25 minutes. Run it by hand on a Debian 12 host after changing docs/deployment.md,
# deploy/ or the backups:
#
#   sudo scripts/deployment_drill.sh                 # a new root in /var/tmp/drill-root
#   DRILL_ROOT=/var/tmp/other DRILL_CUSTOMERS=500 sudo scripts/deployment_drill.sh
#
# It makes a fresh Debian 12 root (debootstrap), installs the packages of docs/deployment.md
# into it, builds a folder of wheels on the host (the container has no network once booted),
# boots it with its own network (--private-network: the host's PostgreSQL may hold 5432), and
# then runs inside it, as root or in the operator's shell, the steps of docs/deployment.md in
# their order: user and directories, install, environment file, PostgreSQL, first start, web
# unit, backups with their own key and the destruction journal, jobs unit, nginx with a
# self-signed certificate. Then demo data and documents, a sign-in through nginx, `credfile
# backup`, and the restore drill of docs/backup.md into a second instance (its own database,
# home and environment file) with the comparison: rows and an md5 of every table, the stored
# documents' SHA-256, sealed documents opened, the audit chain verified against the digest.
# The container root stays outside the repository. Logs and the summary: $DRILL_ROOT.log/.
set -euo pipefail

ROOT=${DRILL_ROOT:-/var/tmp/drill-root}
LOGS=${ROOT}.log
WHEELS=${ROOT}.wheels
CUSTOMERS=${DRILL_CUSTOMERS:-2000}
MIRROR=${DRILL_MIRROR:-http://deb.debian.org/debian}
SRC=$(cd "$(dirname "$0")/.." && pwd)
PIP=${DRILL_PIP:-pip3}
[ -x "$SRC/.venv/bin/pip" ] && PIP=$SRC/.venv/bin/pip

[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
[ -e "$ROOT" ] && { echo "$ROOT exists; remove it or set DRILL_ROOT" >&2; exit 1; }
case "$ROOT" in "$SRC"/*) echo "keep DRILL_ROOT out of the repository" >&2; exit 1 ;; esac
command -v debootstrap >/dev/null && command -v systemd-nspawn >/dev/null ||
    apt-get install -y debootstrap systemd-container
mkdir -p "$LOGS"
# Without systemd as the host's PID 1 (a container host), nspawn needs a tmpfs here and
# neither registration nor a scope of its own.
NSPAWN=(systemd-nspawn -q)
if [ "$(ps -p 1 -o comm=)" != systemd ]; then
    mountpoint -q /run/systemd/nspawn || { mkdir -p /run/systemd/nspawn && mount -t tmpfs tmpfs /run/systemd/nspawn; }
    NSPAWN+=(--register=no --keep-unit)
fi

t0=$SECONDS
step() { printf '\n== %s (%ss)\n' "$*" $((SECONDS - t0)) | tee -a "$LOGS/summary.txt"; }
note() { echo "$*" | tee -a "$LOGS/summary.txt"; }
timed() { # timed NAME COMMAND…: runs it, notes the seconds it took
    local name=$1 start=$SECONDS; shift
    "$@"; note "time $name: $((SECONDS - start)) s"
}
offline() { "${NSPAWN[@]}" -D "$ROOT" "$@"; }   # not booted, the host's network

step "debootstrap bookworm"
timed debootstrap debootstrap bookworm "$ROOT" "$MIRROR" > "$LOGS/debootstrap.log" 2>&1
echo drill > "$ROOT/etc/hostname"
echo '127.0.1.1 drill credfile.drill.test' >> "$ROOT/etc/hosts"   # as the installer writes

step "Packages (docs/deployment.md)"
timed packages offline bash -c 'export DEBIAN_FRONTEND=noninteractive; apt-get update &&
    apt-get install -y python3 python3-venv git postgresql nginx-light sudo curl' > "$LOGS/packages.log" 2>&1
# Installed beside a running PostgreSQL on the host, Debian's cluster took 5433; booted with
# its own network it is alone, as on a fresh machine.
sed -i 's/^port = 5433/port = 5432/' "$ROOT"/etc/postgresql/*/main/postgresql.conf

step "Wheels on the host (the booted container has no network)"
rm -rf "$WHEELS"; mkdir -p "$WHEELS"
timed wheels bash -c "'$PIP' wheel '$SRC' -w '$WHEELS' -q && '$PIP' download 'setuptools>=77' wheel pip -d '$WHEELS' -q" > "$LOGS/wheels.log" 2>&1
rm -f "$WHEELS"/credfile-*.whl

step "System user, directories, install"
mkdir -p "$ROOT/opt/credfile/src" "$ROOT/opt/credfile/wheels"
git -C "$SRC" archive HEAD | tar -x -C "$ROOT/opt/credfile/src"
git -C "$SRC" rev-parse --short HEAD > "$LOGS/commit"
cp "$WHEELS"/* "$ROOT/opt/credfile/wheels/"
timed install offline bash -ec '
    adduser --system --group --home /var/lib/credfile --shell /usr/sbin/nologin credfile
    install -d -o credfile -g credfile -m 0750 /var/lib/credfile
    install -d -o root -g credfile -m 0750 /etc/credfile
    install -d -o credfile -g credfile -m 0700 /etc/credfile/keys
    python3 -m venv /opt/credfile/venv
    /opt/credfile/venv/bin/pip install -q --no-index --find-links /opt/credfile/wheels --upgrade pip
    /opt/credfile/venv/bin/pip install -q --no-index --find-links /opt/credfile/wheels /opt/credfile/src' > "$LOGS/install.log" 2>&1

# The steps run inside the booted container: one script, written here, run by nsenter.
cat > "$ROOT/usr/local/bin/cf" <<'EOF'
#!/bin/sh
# The operator's shell of docs/deployment.md, one command: cf [ENVFILE=…] credfile ARGS
ENVFILE=${ENVFILE:-/etc/credfile/credfile.env}
HOME_DIR=$(sed -n 's/^CREDFILE_HOME=//p' "$ENVFILE")
exec sudo -u credfile bash -c 'set -a; . "$0"; set +a; export PATH=/opt/credfile/venv/bin:$PATH; cd "$1"; shift; exec "$@"' "$ENVFILE" "$HOME_DIR" "$@"
EOF
cat > "$ROOT/usr/local/bin/table-digest" <<'EOF'
#!/bin/sh
# Per table of database $1: the rows and an md5 of all of them in a fixed order.
for t in $(sudo -u postgres psql -d "$1" -Atc "select tablename from pg_tables where schemaname='public' order by 1"); do
  printf '%s %s\n' "$t" "$(sudo -u postgres psql -d "$1" -Atc "select count(*) || ' ' || coalesce(md5(string_agg(x, E'\n' order by x)), '-') from (select t::text as x from \"$t\" t) s")"
done
EOF
cat > "$ROOT/usr/local/bin/drill-documents.py" <<'EOF'
# Documents on the first open files, attached by their account managers: letters, and ID
# copies (sealed at rest).
import datetime
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from credfile.customers.models import Customer
from credfile.documents.services import document_attach
n = 0
for i, customer in enumerate(Customer.objects.order_by("id")):
    if n >= 300:
        break
    for kind in ("letter", "id_copy"):
        body = b"%PDF-1.4\n% drill " + f"{customer.code} {kind}".encode() + bytes(range(256)) * 8 + b"\n%%EOF\n"
        try:
            document_attach(actor=customer.account_manager, customer=customer,
                            upload=SimpleUploadedFile(f"{kind}-{i}.pdf", body, "application/pdf"),
                            name=f"{kind}-{i}.pdf", document_type=kind, title=f"drill {kind} {i}",
                            document_date=datetime.date.today())
        except PermissionDenied:  # an archived file
            break
        n += 1
print("attached", n)
EOF
cat > "$ROOT/usr/local/bin/drill-read.py" <<'EOF'
import hashlib
from credfile.customers.models import Customer
from credfile.documents.models import Document
from credfile.documents.services import document_unseal, storage_for
docs = Document.objects.filter(encrypted=True).order_by("id")
ok = sum(hashlib.sha256(document_unseal(d.stored_name, storage_for(d).open(d.stored_name).read())).hexdigest() == d.sha256 for d in docs)
ids = hashlib.sha256("".join(c.id_number or "" for c in Customer.objects.order_by("id")).encode()).hexdigest()
print(f"sealed documents opened and matching: {ok}/{docs.count()}; sealed ID numbers digest {ids[:16]}")
EOF
cat > "$ROOT/usr/local/bin/drill-login" <<'EOF'
#!/bin/sh
# Sign in through nginx from another address, with a forged X-Forwarded-For.
ip addr add 10.99.0.5/32 dev lo 2>/dev/null
rm -f /tmp/jar
C="curl -s --cacert /etc/ssl/credfile/fullchain.pem --interface 10.99.0.5 -c /tmp/jar -b /tmp/jar"
U=https://credfile.drill.test
TOKEN=$($C $U/accounts/login/ | grep -o 'name="csrfmiddlewaretoken" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
$C -o /dev/null -w 'sign-in through nginx: %{http_code} -> %{redirect_url}\n' -H 'X-Forwarded-For: 6.6.6.6' \
   -e $U/accounts/login/ --data-urlencode "csrfmiddlewaretoken=$TOKEN" \
   --data-urlencode username=credit.zhao --data-urlencode 'password=credit pass phrase 42' $U/accounts/login/
$C -o /dev/null -w 'customer list: %{http_code}\n' $U/customers/
EOF
cat > "$ROOT/usr/local/bin/drill-steps" <<'EOF'
#!/bin/bash
set -euo pipefail
note() { echo "$*" >&2; }   # stderr: seen even where a step's output goes to a file
timed() { local name=$1 start=$SECONDS; shift; "$@"; note "time $name: $((SECONDS - start)) s"; }
echo "== The environment file"
install -o root -g credfile -m 0640 /opt/credfile/src/deploy/credfile.env.example /etc/credfile/credfile.env
SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')
DBPASS=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
sed -i -e "s|^CREDFILE_SECRET_KEY=.*|CREDFILE_SECRET_KEY=$SECRET|" -e "s|credfile:change-me@|credfile:$DBPASS@|" \
       -e "s|credfile\.example\.com|credfile.drill.test|g" -e "s|credfile@example\.com|credfile@drill.test|" /etc/credfile/credfile.env
echo "== PostgreSQL"
printf '%s\n%s\n' "$DBPASS" "$DBPASS" | sudo -u postgres createuser --pwprompt credfile
sudo -u postgres createdb --owner credfile credfile
pg_lsclusters
echo "== First start"
cf credfile keys init
timed migrate cf credfile migrate > /tmp/migrate.log
cf credfile collectstatic --no-input | tail -1
cf credfile check --deploy 2>&1 | grep -E '^\?|issues' || true
cf credfile adddepartment SALES1 销售一部
echo 'a long pass phrase' | cf credfile adduser admin.wang --role admin --display-name 王管理
echo 'another pass phrase' | cf credfile adduser exec.li --role executive --display-name 李总
echo "== The web server"
install -m 0644 /opt/credfile/src/deploy/systemd/credfile-web.service /etc/systemd/system/
systemctl daemon-reload
timed web-start systemctl enable --now credfile-web
curl -sI -H 'Host: credfile.drill.test' http://127.0.0.1:8000/accounts/login/ | head -1
echo "== Backups"
install -d -o credfile -g credfile -m 0700 /var/lib/credfile/backups /etc/credfile/backup-key
install -d -o credfile -g credfile -m 0700 /srv/credfile-journal /srv/audit-digests
sed -i -e 's|^# CREDFILE_AUDIT_DIGEST_COPY=|CREDFILE_AUDIT_DIGEST_COPY=|' -e 's|^# CREDFILE_BACKUP_DIR=|CREDFILE_BACKUP_DIR=|' \
       -e 's|^# CREDFILE_BACKUP_KEY_FILE=|CREDFILE_BACKUP_KEY_FILE=|' \
       -e 's|^# CREDFILE_DESTRUCTION_JOURNAL_DIR=|CREDFILE_DESTRUCTION_JOURNAL_DIR=|' /etc/credfile/credfile.env
cf credfile backup --init-key
systemctl restart credfile-web
P=$(systemctl show -p MainPID --value credfile-web)
nsenter -t "$P" -m setpriv --reuid=credfile --regid=credfile --clear-groups touch /srv/credfile-journal/probe &&
    echo "the web unit may write the destruction journal"; rm -f /srv/credfile-journal/probe
echo "== Scheduled jobs"
install -m 0644 /opt/credfile/src/deploy/systemd/credfile-jobs.service /etc/systemd/system/
systemctl daemon-reload
start=$SECONDS; systemctl enable --now credfile-jobs
until cf credfile jobs status 2>/dev/null | grep -q 'backup.run.*sha256'; do sleep 2; [ $((SECONDS - start)) -lt 300 ]; done
note "time first-backup (worker start to the first backup done): $((SECONDS - start)) s"
cf credfile jobs status | grep backup.run
echo "== Reverse proxy"
install -d -m 0755 /etc/ssl/credfile
openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj /CN=credfile.drill.test \
    -addext subjectAltName=DNS:credfile.drill.test \
    -keyout /etc/ssl/credfile/privkey.pem -out /etc/ssl/credfile/fullchain.pem 2>/dev/null
chmod 0600 /etc/ssl/credfile/privkey.pem
install -m 0644 /opt/credfile/src/deploy/nginx/credfile.conf /etc/nginx/sites-available/
ln -s ../sites-available/credfile.conf /etc/nginx/sites-enabled/
rm /etc/nginx/sites-enabled/default
sed -i 's/credfile\.example\.com/credfile.drill.test/g' /etc/nginx/sites-available/credfile.conf
nginx -t && systemctl reload nginx
sleep 2                                   # the reload is asynchronous
curl -sI http://credfile.drill.test/accounts/login/ | head -1
curl -sI --cacert /etc/ssl/credfile/fullchain.pem https://credfile.drill.test/accounts/login/ | head -1
echo "== Data: demo files, documents, a sign-in through nginx"
echo 'credit pass phrase 42' | cf credfile adduser credit.zhao --role credit_manager --display-name 赵信用
timed demo cf credfile demo --customers "${CUSTOMERS:-2000}" --seed 1 --no-progress > /tmp/demo.log
cf credfile shell -c 'exec(open("/usr/local/bin/drill-documents.py").read())' | tail -1
drill-login
cf credfile shell -c "from credfile.audit.models import AuditEvent as E; e=E.objects.order_by('-seq')[0]; print('last audit event:', e.seq, e.action, 'from', e.ip)" | tail -1
echo "== credfile backup"
systemctl stop credfile-jobs              # nothing writes while the reference is taken
cf credfile audit digest | tail -1       # the digest a restore is checked against
table-digest credfile > /root/tables-before.txt
(cd /var/lib/credfile && find documents archive -type f -exec sha256sum {} + 2>/dev/null | sort -k2) > /root/documents-before.txt
F=/var/lib/credfile/backups/drill.cfbak
timed backup cf credfile backup "$F"
systemctl start credfile-jobs
RECORDED=$(cf credfile shell -c "from credfile.backups.models import Backup; print(Backup.objects.get(path__endswith='drill.cfbak').sha256)" | tail -1)
echo "== Restore drill (docs/backup.md, Disaster recovery) into a second instance"
install -d -o credfile -g credfile -m 0750 /var/lib/credfile-restore
install -d -o root -g credfile -m 0750 /etc/credfile-restore
install -d -o credfile -g credfile -m 0700 /etc/credfile-restore/keys /etc/credfile-restore/backup-key /srv/credfile-journal-restore
install -o credfile -g credfile -m 0400 /etc/credfile/keys/master.key /etc/credfile-restore/keys/
install -o credfile -g credfile -m 0400 /etc/credfile/backup-key/backup.key /etc/credfile-restore/backup-key/
[ ! -f /srv/credfile-journal/destructions.jsonl ] || install -o credfile -g credfile -m 0600 /srv/credfile-journal/destructions.jsonl /srv/credfile-journal-restore/
sed -e 's|^CREDFILE_HOME=.*|CREDFILE_HOME=/var/lib/credfile-restore|' \
    -e 's|^CREDFILE_KEY_FILE=.*|CREDFILE_KEY_FILE=/etc/credfile-restore/keys/master.key|' \
    -e 's|/credfile$|/credfile_restore|' -e 's|^CREDFILE_AUDIT_DIGEST_COPY=|# &|' \
    -e 's|^CREDFILE_BACKUP_DIR=.*|CREDFILE_BACKUP_DIR=/var/lib/credfile-restore/backups|' \
    -e 's|^CREDFILE_BACKUP_KEY_FILE=.*|CREDFILE_BACKUP_KEY_FILE=/etc/credfile-restore/backup-key/backup.key|' \
    -e 's|^CREDFILE_DESTRUCTION_JOURNAL_DIR=.*|CREDFILE_DESTRUCTION_JOURNAL_DIR=/srv/credfile-journal-restore|' \
    -e 's|^CREDFILE_SERVE_BIND=.*|CREDFILE_SERVE_BIND=127.0.0.1:8001|' /etc/credfile/credfile.env > /etc/credfile-restore/credfile.env
chown root:credfile /etc/credfile-restore/credfile.env; chmod 0640 /etc/credfile-restore/credfile.env
sudo -u postgres createdb --owner credfile credfile_restore
[ "$(sha256sum "$F" | cut -d' ' -f1)" = "$RECORDED" ] && echo "sha256 matches the recorded run: $RECORDED"
export ENVFILE=/etc/credfile-restore/credfile.env
timed restore cf credfile restore "$F"
timed migrate-after-restore cf credfile migrate > /tmp/migrate2.log
DIGEST=$(ls /srv/audit-digests/digest-*.json | tail -1)
install -m 0644 "$DIGEST" /tmp/last-digest
cf credfile audit verify --digest /tmp/last-digest | tail -1
echo "== Comparison"
table-digest credfile_restore > /root/tables-restored.txt
(cd /var/lib/credfile-restore && find documents archive -type f -exec sha256sum {} + 2>/dev/null | sort -k2) > /root/documents-restored.txt
note "tables: $(wc -l < /root/tables-before.txt), rows: $(awk '{s+=$2} END {print s}' /root/tables-before.txt)"
if diff /root/tables-before.txt /root/tables-restored.txt; then note "every table: same rows, same content"; else note "TABLES DIFFER"; fi
note "stored documents: $(wc -l < /root/documents-restored.txt)"
if diff /root/documents-before.txt /root/documents-restored.txt; then note "documents byte-equal"; else note "DOCUMENTS DIFFER"; fi
unset ENVFILE
cf credfile shell -c 'exec(open("/usr/local/bin/drill-read.py").read())' | tail -1
ENVFILE=/etc/credfile-restore/credfile.env cf credfile shell -c 'exec(open("/usr/local/bin/drill-read.py").read())' | tail -1
EOF
chmod +x "$ROOT"/usr/local/bin/*

step "Boot the container (--private-network)"
"${NSPAWN[@]}" -b -D "$ROOT" --private-network -M drill > "$LOGS/boot.log" 2>&1 &
NSPAWN_PID=$!
trap 'kill $NSPAWN_PID 2>/dev/null || true' EXIT
inside() {
    local pid; pid=$(ps --ppid "$NSPAWN_PID" -o pid= | head -1 | tr -d ' ')
    nsenter -t "$pid" -a -- /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 PYTHONUNBUFFERED=1 CUSTOMERS="$CUSTOMERS" "$@"
}
for _ in $(seq 60); do
    sleep 2
    state=$(inside systemctl is-system-running 2>/dev/null || true)
    case "$state" in running|degraded) break ;; esac
done
note "container: $state"

step "The steps of docs/deployment.md and docs/backup.md, inside"
inside drill-steps 2>&1 | tee "$LOGS/steps.log" | grep --line-buffered -E '^(==|time |every table|TABLES|stored documents|documents|DOCUMENTS|sealed|sign-in|customer list|last audit|sha256 matches|HTTP|the web unit|tables:)' | tee -a "$LOGS/summary.txt"
kill -TERM "$NSPAWN_PID" 2>/dev/null || true   # nspawn powers the container off
wait "$NSPAWN_PID" || true
trap - EXIT
step "done; logs in $LOGS"
