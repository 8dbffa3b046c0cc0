"""Work Adology runs outside its Dagster runs, under Dagster Pipes (an AWS Lambda function, an ECS
task, or a local subprocess): it imports the core and ``dagster_pipes``, never Dagster itself."""
