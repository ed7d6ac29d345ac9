#!/usr/bin/env bash
# Usage: sudo ./scripts/backup_database.sh [--media]
#
# Dump the database (pg_dump of DB_NAME as DB_USER, gzipped plain SQL) to
# BACKUP_DIR/<YYYY-mm-ddTHH-MM-SS>.sql.gz and copy it to BACKUP_DIR/pg_dump.sql.gz, the
# latest backup, which ./scripts/restore_database.sh restores by default. --media also
# archives DATA_DIR/media to BACKUP_DIR/<same stamp>.media.tar.gz. The site keeps
# running; the dump is one consistent snapshot. Prints the files it wrote.
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$ROOT/scripts/lib/config.sh"
source "$ROOT/scripts/lib/stack.sh"

media=false
case "${1:-}" in
  "") ;;
  --media) media=true ;;
  *) usage ;;
esac
require_root "backups are kept in a folder only root reads"
load_config
umask 077
install -d -m 700 "$BACKUP_DIR"

# One stamp for the dump and the archive; never overwrite an earlier backup.
stamp="$(date +%Y-%m-%dT%H-%M-%S)"
while [ -e "$BACKUP_DIR/$stamp.sql.gz" ]; do
  sleep 1
  stamp="$(date +%Y-%m-%dT%H-%M-%S)"
done
dump="$BACKUP_DIR/$stamp.sql.gz"

partial="$BACKUP_DIR/.$stamp.sql.gz.partial"
trap 'rm -f "$partial"' EXIT
PGPASSWORD="$(cat "$DB_PASSWORD_FILE")" pg_dump --no-password --host "$DB_HOST" --port "$DB_PORT" \
  --username "$DB_USER" --dbname "$DB_NAME" | gzip >"$partial"
mv "$partial" "$dump"
cp "$dump" "$BACKUP_DIR/.pg_dump.sql.gz.partial"
mv "$BACKUP_DIR/.pg_dump.sql.gz.partial" "$PSQL_DUMP_FILE"
say "database $DB_NAME: $dump (latest: $PSQL_DUMP_FILE)"

if $media; then
  archive="$BACKUP_DIR/$stamp.media.tar.gz"
  tar --create --gzip --file "$archive.partial" --directory "$DATA_DIR" media
  mv "$archive.partial" "$archive"
  say "media: $archive"
fi
