/**
 * How long a CloudWatch alarm on a 1-minute metric takes to act, for every policy whose scaling
 * runs through alarms (`ecs-cas`'s target tracking, `ugns`'s simple scaling): the datapoint is
 * evaluated once its period has ended (CloudWatch User Guide, "Using Amazon CloudWatch alarms": an
 * alarm with a period of 60 s or more is evaluated every minute,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html), and the
 * alarm then invokes the group's scaling policy (EC2 Auto Scaling User Guide, "Dynamic scaling").
 * The sources give no total; we take one minute (the lower end: ingestion and the policy's own
 * execution add seconds).
 */
export const ALARM_DELAY_SECONDS = 60;
