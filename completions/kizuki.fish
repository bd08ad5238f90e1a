# fish completion for kizuki(1): commands, their options and option values.
# Keep in step with 'kizuki --help' and 'kizuki COMMAND --help'
# (completions/test_completions.py checks it against them).

set -l commands status nudges nudge explain consent pause resume hint hours days week actogram checkin import policy reload digest share shares recipients resources privacy export forget help

function __kizuki_recipients
    set -l dir $HOME/.config
    set -q XDG_CONFIG_HOME; and set dir $XDG_CONFIG_HOME
    for f in $dir/kizuki/recipients.d/*.conf
        basename $f .conf
    end
end

# kizuki CMD: true when CMD is the command on the line.
function __kizuki_cmd
    __fish_seen_subcommand_from $argv
end

complete -c kizuki -f

# Global options (before or after the command).
complete -c kizuki -l socket -r -F -d 'Talk to kizukid at PATH'
complete -c kizuki -l color -x -a 'auto always never' -d 'Colour the output'
complete -c kizuki -l no-pager -d 'Do not page long output'
complete -c kizuki -l ascii -d 'Draw charts in ASCII'
complete -c kizuki -s h -l help -d 'Show help'
complete -c kizuki -n "not __fish_seen_subcommand_from $commands" -l version -d 'Show the version'

# Commands.
set -l nocmd "not __fish_seen_subcommand_from $commands"
complete -c kizuki -n $nocmd -a status -d 'Show recording state and unread nudges'
complete -c kizuki -n $nocmd -a nudges -d 'Show the nudges your policies raised'
complete -c kizuki -n $nocmd -a nudge -d 'Acknowledge, snooze or dismiss a nudge'
complete -c kizuki -n $nocmd -a explain -d 'Show the figures behind a nudge or policy'
complete -c kizuki -n $nocmd -a consent -d 'Grant, revoke or show consent to recording'
complete -c kizuki -n $nocmd -a pause -d 'Pause recording'
complete -c kizuki -n $nocmd -a resume -d 'Resume recording after a pause'
complete -c kizuki -n $nocmd -a hint -d 'Report your state'
complete -c kizuki -n $nocmd -a hours -d 'Show active time per hour of a day'
complete -c kizuki -n $nocmd -a days -d 'Show the daily signals of a range of days'
complete -c kizuki -n $nocmd -a week -d "Show a week's summary and its changes"
complete -c kizuki -n $nocmd -a actogram -d 'Show active minutes as hours × days'
complete -c kizuki -n $nocmd -a checkin -d 'Note how your day went'
complete -c kizuki -n $nocmd -a import -d 'Import activity, or restore an export'
complete -c kizuki -n $nocmd -a policy -d 'List, check, test or run drift policies'
complete -c kizuki -n $nocmd -a reload -d 'Re-read the configuration and policies'
complete -c kizuki -n $nocmd -a digest -d 'Write a weekly digest for a therapist'
complete -c kizuki -n $nocmd -a share -d 'Show, then send, a digest to a recipient'
complete -c kizuki -n $nocmd -a shares -d 'List what was shared, with whom, when'
complete -c kizuki -n $nocmd -a recipients -d 'List, show or check recipients'
complete -c kizuki -n $nocmd -a resources -d 'Where to find help, crisis lines first'
complete -c kizuki -n '__kizuki_cmd resources' -l crisis -d 'Only what to do in a crisis'
complete -c kizuki -n $nocmd -a privacy -d 'What is kept, where, how long, shared'
complete -c kizuki -n $nocmd -a export -d 'Export everything, in open formats'
complete -c kizuki -n $nocmd -a forget -d 'Delete stored data for real'
complete -c kizuki -n $nocmd -a help -d 'Show help for all or one command'

# --json, where a command prints data.
complete -c kizuki -n '__kizuki_cmd status nudges nudge explain hours days week actogram reload shares recipients privacy forget' -l json -d 'Print JSON'

complete -c kizuki -n '__kizuki_cmd nudges' -s a -l all -d 'Every stored nudge, read or not'

set -l nudge_sub ack snooze dismiss
complete -c kizuki -n "__kizuki_cmd nudge; and not __fish_seen_subcommand_from $nudge_sub" -a 'ack snooze dismiss'
complete -c kizuki -n '__kizuki_cmd nudge' -l helpful -x -a 'yes no' -d 'Whether the nudge was helpful'

complete -c kizuki -n '__kizuki_cmd explain' -F -a '(__fish_complete_suffix .policy)'
complete -c kizuki -n '__kizuki_cmd explain' -l days -x -d 'Days to show'
complete -c kizuki -n '__kizuki_cmd explain' -l verbose -d 'Also the statistics'
complete -c kizuki -n '__kizuki_cmd explain actogram days policy' -l to -x -a 'today yesterday this-week last-week' -d 'The last day'

set -l consent_sub grant revoke show
complete -c kizuki -n "__kizuki_cmd consent; and not __fish_seen_subcommand_from $consent_sub" -a 'grant revoke show'
complete -c kizuki -n '__kizuki_cmd consent; and __fish_seen_subcommand_from grant' -s y -l yes -d 'Grant without asking'
complete -c kizuki -n '__kizuki_cmd consent; and not __fish_seen_subcommand_from grant revoke' -l json -d 'Print it as JSON'
complete -c kizuki -n '__kizuki_cmd consent; and not __fish_seen_subcommand_from grant revoke' -l text -d 'Print the consent text'

complete -c kizuki -n "__kizuki_cmd pause; and not __fish_seen_subcommand_from 30m 1h 2h 1d" -a '30m 1h 2h 1d' -d 'Duration'
complete -c kizuki -n "__kizuki_cmd hint; and not __fish_seen_subcommand_from active idle locked unlocked" -a 'active idle locked unlocked'

complete -c kizuki -n '__kizuki_cmd hours checkin' -l date -x -a 'today yesterday this-week last-week' -d 'The local day'
complete -c kizuki -n '__kizuki_cmd days policy forget' -l from -x -a 'today yesterday this-week last-week' -d 'The first day'
complete -c kizuki -n '__kizuki_cmd days forget' -l to -x -a 'today yesterday this-week last-week' -d 'The last day'

complete -c kizuki -n '__kizuki_cmd week' -l this -d 'The current week, so far'

complete -c kizuki -n '__kizuki_cmd actogram' -l weeks -x -d 'How many weeks'
complete -c kizuki -n '__kizuki_cmd actogram' -l double -d 'Double-plot'

complete -c kizuki -n '__kizuki_cmd checkin' -l went-out -x -a 'yes no' -d 'Whether you went outside'
complete -c kizuki -n '__kizuki_cmd checkin' -l met-someone -x -a 'yes no' -d 'Whether you met someone'
complete -c kizuki -n '__kizuki_cmd checkin' -l mood -x -a '1 2 3 4 5' -d 'Your mood, 1 (low) to 5 (good)'

complete -c kizuki -n '__kizuki_cmd import' -F
complete -c kizuki -n '__kizuki_cmd import' -l format -x -a 'csv activitywatch kizuki' -d 'The file format'
complete -c kizuki -n '__kizuki_cmd import' -l dry-run -d 'Count what would change; write nothing'
complete -c kizuki -n '__kizuki_cmd import' -l strict -d 'Stop at the first bad row'

set -l policy_sub list check test eval
complete -c kizuki -n "__kizuki_cmd policy; and not __fish_seen_subcommand_from $policy_sub" -a 'list check test eval'
complete -c kizuki -n '__kizuki_cmd policy; and __fish_seen_subcommand_from check test' -F
complete -c kizuki -n '__kizuki_cmd policy' -l json -d 'Print JSON'

complete -c kizuki -n '__kizuki_cmd digest share' -s w -l week -x -a 'this-week last-week' -d 'The ISO week (YYYY-Www)'
complete -c kizuki -n '__kizuki_cmd week' -x -a 'this-week last-week'
complete -c kizuki -n '__kizuki_cmd digest' -l level -x -a 'summary daily hourly' -d 'How detailed'
complete -c kizuki -n '__kizuki_cmd digest' -l format -x -a 'text json html fhir' -d 'The output format'
complete -c kizuki -n '__kizuki_cmd digest export' -s o -l output -r -F -d 'Write to FILE'
complete -c kizuki -n '__kizuki_cmd digest' -l patient-id -x -d 'FHIR: the Patient id'
complete -c kizuki -n '__kizuki_cmd digest' -l patient-name -x -d 'A name to show'

complete -c kizuki -n '__kizuki_cmd share' -s t -l to -x -a '(__kizuki_recipients)' -d 'The recipient'
complete -c kizuki -n '__kizuki_cmd share' -s n -l dry-run -d 'Show what would be sent; send nothing'
complete -c kizuki -n '__kizuki_cmd share forget' -s y -l yes -d 'Do not ask'
complete -c kizuki -n '__kizuki_cmd share' -l scheduled -d 'Send to recipients with schedule = weekly'

complete -c kizuki -n '__kizuki_cmd shares' -s n -l limit -x -d 'Only the N newest entries'

set -l recipients_sub list show check
complete -c kizuki -n "__kizuki_cmd recipients; and not __fish_seen_subcommand_from $recipients_sub" -a 'list show check'
complete -c kizuki -n '__kizuki_cmd recipients; and __fish_seen_subcommand_from show check' -a '(__kizuki_recipients)'

complete -c kizuki -n '__kizuki_cmd export' -s f -l format -x -a 'json csv' -d 'json or csv'

complete -c kizuki -n '__kizuki_cmd forget' -l all -d 'Everything'
complete -c kizuki -n '__kizuki_cmd forget' -l before -x -a 'today yesterday this-week last-week' -d 'Local days before DATE'
complete -c kizuki -n '__kizuki_cmd forget' -l dry-run -d 'Only say what would be deleted'
complete -c kizuki -n '__kizuki_cmd forget' -l include-share-log -d 'Also the share log'

complete -c kizuki -n "__kizuki_cmd help; and not __fish_seen_subcommand_from $commands[1..-2]" -a "$commands"
