#!/bin/sh
# Entrypoint of runbook/postgres (built by scripts/build-postgres-image): what the official
# postgres image's entrypoint does, in POSIX sh, so that runbooks written for postgres:15 run
# the same on an engine that cannot pull it.
#
# POSTGRES_PASSWORD (required unless POSTGRES_HOST_AUTH_METHOD=trust), POSTGRES_USER (default
# postgres), POSTGRES_DB (default the user), POSTGRES_INITDB_ARGS, POSTGRES_INITDB_WALDIR and
# POSTGRES_HOST_AUTH_METHOD, each also as *_FILE. On first start only (no $PGDATA/PG_VERSION):
# initdb, a pg_hba.conf line for every host, the database, /docker-entrypoint-initdb.d/*
# (*.sql and compressed *.sql.{gz,xz,zst} through psql -v ON_ERROR_STOP=1, *.sh executed or
# sourced) against a temporary server listening on the Unix socket only. Then postgres runs as
# the postgres user (uid 999), started as root only to fix ownership of $PGDATA.
set -eu

: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA

log() {
	printf '%s\n' "$*"
}

die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# file_env VAR [DEFAULT]: sets VAR from VAR, else from the file VAR_FILE names, else DEFAULT.
file_env() {
	fe_var=$1
	fe_file_var="${1}_FILE"
	fe_default=${2:-}
	eval "fe_val=\${$fe_var:-}"
	eval "fe_file=\${$fe_file_var:-}"
	if [ -n "$fe_val" ] && [ -n "$fe_file" ]; then
		die "both $fe_var and $fe_file_var are set (but are exclusive)"
	fi
	if [ -n "$fe_file" ]; then
		[ -r "$fe_file" ] || die "$fe_file_var names $fe_file, which cannot be read"
		fe_val=$(cat "$fe_file")
	elif [ -z "$fe_val" ]; then
		fe_val=$fe_default
	fi
	export "$fe_var=$fe_val"
	unset "$fe_file_var"
}

# quote ARG: ARG in single quotes for the shell pg_ctl hands its -o options to.
quote() {
	q_rest=$1
	q_out=
	while :; do
		case $q_rest in
		*\'*)
			q_out="$q_out${q_rest%%\'*}'\\''"
			q_rest=${q_rest#*\'}
			;;
		*)
			q_out="$q_out$q_rest"
			break
			;;
		esac
	done
	printf "'%s'" "$q_out"
}

setup_env() {
	file_env POSTGRES_PASSWORD
	file_env POSTGRES_USER postgres
	file_env POSTGRES_DB "$POSTGRES_USER"
	file_env POSTGRES_INITDB_ARGS
	file_env POSTGRES_INITDB_WALDIR
	file_env POSTGRES_HOST_AUTH_METHOD
	DATABASE_ALREADY_EXISTS=
	if [ -s "$PGDATA/PG_VERSION" ]; then
		DATABASE_ALREADY_EXISTS=true
	fi
}

create_db_directories() {
	mkdir -p "$PGDATA"
	chmod 00700 "$PGDATA" || :
	mkdir -p /var/run/postgresql || :
	chmod 03775 /var/run/postgresql || :
	if [ -n "$POSTGRES_INITDB_WALDIR" ]; then
		mkdir -p "$POSTGRES_INITDB_WALDIR"
		if [ "$(id -u)" = 0 ]; then
			find "$POSTGRES_INITDB_WALDIR" \! -user postgres -exec chown postgres:postgres '{}' +
		fi
		chmod 700 "$POSTGRES_INITDB_WALDIR"
	fi
	if [ "$(id -u)" = 0 ]; then
		find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
		find /var/run/postgresql \! -user postgres -exec chown postgres:postgres '{}' +
	fi
}

verify_minimum_env() {
	if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
		cat >&2 <<'EOE'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".

       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
       connections without a password. This is *not* recommended.
EOE
		exit 1
	fi
}

init_database_dir() {
	if [ -n "$POSTGRES_INITDB_WALDIR" ]; then
		set -- --waldir "$POSTGRES_INITDB_WALDIR" "$@"
	fi
	# POSTGRES_INITDB_ARGS is split into words on purpose, as the official image does.
	printf '%s\n' "$POSTGRES_PASSWORD" |
		eval 'initdb --username="$POSTGRES_USER" --pwfile=/dev/stdin '"$POSTGRES_INITDB_ARGS"' "$@"'
}

setup_hba_conf() {
	if [ "${1:-}" = postgres ]; then
		shift
	fi
	if [ -z "$POSTGRES_HOST_AUTH_METHOD" ]; then
		POSTGRES_HOST_AUTH_METHOD=$(postgres -C password_encryption "$@")
	fi
	{
		printf '\n'
		if [ "$POSTGRES_HOST_AUTH_METHOD" = trust ]; then
			printf '# warning trust is enabled for all connections\n'
		fi
		printf 'host all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD"
	} >>"$PGDATA/pg_hba.conf"
}

process_sql() {
	if [ -n "$POSTGRES_DB" ]; then
		set -- --dbname "$POSTGRES_DB" "$@"
	fi
	PGHOST= PGHOSTADDR= psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"
}

temp_server_start() {
	ts_opts=
	for ts_arg in "$@" -c "listen_addresses=" -p "${PGPORT:-5432}"; do
		ts_opts="$ts_opts $(quote "$ts_arg")"
	done
	PGUSER="${PGUSER:-$POSTGRES_USER}" pg_ctl -D "$PGDATA" -o "$ts_opts" -w start
}

temp_server_stop() {
	PGUSER="${PGUSER:-postgres}" pg_ctl -D "$PGDATA" -m fast -w stop
}

setup_db() {
	if [ "$POSTGRES_DB" != postgres ]; then
		exists=$(POSTGRES_DB= process_sql --dbname postgres --set db="$POSTGRES_DB" --tuples-only <<'EOSQL'
SELECT 1 FROM pg_database WHERE datname = :'db' ;
EOSQL
)
		if [ -z "$exists" ]; then
			POSTGRES_DB= process_sql --dbname postgres --set db="$POSTGRES_DB" <<'EOSQL'
CREATE DATABASE :"db" ;
EOSQL
			printf '\n'
		fi
	fi
}

process_init_files() {
	printf '\n'
	for f in /docker-entrypoint-initdb.d/*; do
		[ -e "$f" ] || continue
		case $f in
		*.sh)
			if [ -x "$f" ]; then
				log "$0: running $f"
				"$f"
			else
				log "$0: sourcing $f"
				. "$f"
			fi
			;;
		*.sql)
			log "$0: running $f"
			process_sql -f "$f"
			printf '\n'
			;;
		*.sql.gz)
			log "$0: running $f"
			gzip -dc "$f" | process_sql
			printf '\n'
			;;
		*.sql.xz)
			log "$0: running $f"
			xz -dc "$f" | process_sql
			printf '\n'
			;;
		*.sql.zst)
			log "$0: running $f"
			zstd -dc "$f" | process_sql
			printf '\n'
			;;
		*)
			log "$0: ignoring $f"
			;;
		esac
	done
}

# want_help ARG...: whether postgres is asked only to print something and exit (postgres
# --version): no data directory is needed, so none is initialised.
want_help() {
	for wh_arg; do
		case $wh_arg in
		-'?' | --help | --describe-config | -V | --version) return 0 ;;
		esac
	done
	return 1
}

# Options first (docker run IMAGE -c shared_buffers=256MB) mean options for postgres.
if [ "${1#-}" != "$1" ]; then
	set -- postgres "$@"
fi

if [ "$1" = postgres ] && ! want_help "$@"; then
	setup_env
	create_db_directories
	if [ "$(id -u)" = 0 ]; then
		# Start again as postgres: the server refuses to run as root.
		HOME=/var/lib/postgresql exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
	fi

	if [ -z "$DATABASE_ALREADY_EXISTS" ]; then
		verify_minimum_env
		# An init directory the postgres user cannot read would be skipped silently (the glob
		# matches nothing) and leave a database without its schema: stop before initdb instead.
		ls /docker-entrypoint-initdb.d/ >/dev/null
		init_database_dir
		setup_hba_conf "$@"
		# Local connections are trusted by default, but POSTGRES_INITDB_ARGS can ask for a
		# password on the socket too (--auth-local=scram-sha-256, --auth=md5); the setup below
		# then needs it, as in the official image.
		PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
		export PGPASSWORD
		shift
		temp_server_start "$@"
		setup_db
		process_init_files
		temp_server_stop
		unset PGPASSWORD
		set -- postgres "$@"
		log
		log 'PostgreSQL init process complete; ready for start up.'
		log
	else
		log
		log 'PostgreSQL Database directory appears to contain a database; Skipping initialization'
		log
	fi
fi

exec "$@"
