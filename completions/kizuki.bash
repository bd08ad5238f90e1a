# bash completion for kizuki(1): commands, their options and option values.
# Keep in step with 'kizuki --help' and 'kizuki COMMAND --help'
# (completions/test_completions.py checks it against them).

_kizuki_recipients()
{
    local dir=${XDG_CONFIG_HOME:-$HOME/.config}/kizuki/recipients.d f
    for f in "$dir"/*.conf; do
        [[ -e $f ]] || continue
        f=${f##*/}
        printf '%s\n' "${f%.conf}"
    done
}

_kizuki()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local commands="status nudges nudge explain consent pause resume hint hours days week
        actogram checkin import policy reload digest share shares recipients resources
        privacy export forget help"
    local global="--socket --color --no-pager --ascii --help --version"
    local cmd="" sub="" i w

    # The command is the first word that is not a global option or its value;
    # a subcommand (consent grant, policy test, ...) is the word after it.
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [[ -z $cmd ]]; then
            case $w in
                --socket|--color) ((i++)) ;;
                -*) ;;
                *) cmd=$w ;;
            esac
        elif [[ -z $sub && $w != -* ]]; then
            sub=$w
        fi
    done

    # Option values, wherever they appear.
    case $prev in
        --socket) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
        -t|--to)
            if [[ $cmd == share ]]; then
                COMPREPLY=($(compgen -W "$(_kizuki_recipients)" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "today yesterday this-week last-week" -- "$cur"))
            fi
            return ;;
        --date|--from|--before)
            COMPREPLY=($(compgen -W "today yesterday this-week last-week" -- "$cur")); return ;;
        --helpful|--went-out|--met-someone)
            COMPREPLY=($(compgen -W "yes no" -- "$cur")); return ;;
        --mood) COMPREPLY=($(compgen -W "1 2 3 4 5" -- "$cur")); return ;;
        --level) COMPREPLY=($(compgen -W "summary daily hourly" -- "$cur")); return ;;
        -o|--output) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        -f|--format)
            case $cmd in
                import) COMPREPLY=($(compgen -W "csv activitywatch kizuki" -- "$cur")) ;;
                digest) COMPREPLY=($(compgen -W "text json html fhir" -- "$cur")) ;;
                export) COMPREPLY=($(compgen -W "json csv" -- "$cur")) ;;
            esac
            return ;;
        --week|-w)
            COMPREPLY=($(compgen -W "this-week last-week" -- "$cur")); return ;;
        --days|--weeks|--limit|-n|--patient-id|--patient-name)
            [[ $prev == -n && $cmd == share ]] || return ;;
    esac

    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$global" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        return
    fi

    local opts="" words="" subwords=""
    case $cmd in
        status|reload|privacy) opts="--json" ;;
        resources) opts="--crisis" ;;
        nudges) opts="--all --json" ;;
        nudge) subwords="ack snooze dismiss"; opts="--helpful --json" ;;
        explain) opts="--days --to --verbose --json"
            [[ $cur != -* ]] && COMPREPLY=($(compgen -f -X '!*.policy' -- "$cur")) ;;
        consent) subwords="grant revoke show"
            case $sub in
                grant) opts="--yes" ;;
                show|"") opts="--json --text" ;;
            esac ;;
        pause) [[ -z $sub ]] && words="30m 1h 2h 1d" ;;
        resume) ;;
        hint) [[ -z $sub ]] && words="active idle locked unlocked" ;;
        hours) opts="--date --json" ;;
        days) opts="--from --to --json" ;;
        week) opts="--this --json"; [[ -z $sub ]] && words="this-week last-week" ;;
        actogram) opts="--weeks --to --double --json" ;;
        checkin) opts="--went-out --met-someone --mood --date" ;;
        import) opts="--format --dry-run --strict"
            [[ $cur != -* ]] && COMPREPLY=($(compgen -f -- "$cur")) ;;
        policy) subwords="list check test eval"
            case $sub in
                check) [[ $cur != -* ]] && COMPREPLY=($(compgen -f -- "$cur")) ;;
                test) opts="--from --to --json"
                    [[ $cur != -* ]] && COMPREPLY=($(compgen -f -X '!*.policy' -- "$cur")) ;;
                eval) opts="--json" ;;
            esac ;;
        digest) opts="--week --level --format --output --patient-id --patient-name" ;;
        share) opts="--to --week --dry-run --yes --scheduled" ;;
        shares) opts="--json --limit" ;;
        recipients) subwords="list show check"; opts="--json"
            [[ $sub =~ ^(show|check)$ && $prev == "$sub" ]] && words=$(_kizuki_recipients) ;;
        export) opts="--output --format" ;;
        forget) opts="--all --before --from --to --include-share-log --dry-run --yes --json" ;;
        help) [[ -z $sub ]] && words=$commands ;;
        *) return ;;
    esac
    [[ -z $sub ]] && words="$subwords $words"

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts --help --color --no-pager --ascii" -- "$cur"))
    elif [[ -n $words ]]; then
        COMPREPLY+=($(compgen -W "$words" -- "$cur"))
    fi
}

complete -F _kizuki kizuki
