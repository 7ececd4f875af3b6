#!/usr/bin/env python3
"""
Runs the rendered state machines (render-definitions.ts) in LocalStack's Step Functions interpreter, in process,
with every AWS API answer scripted per scenario (scenarios.json), under one JSONata engine:

  java  LocalStack's own: com.dashjoin:jsonata (the Java port) through JPype, the JARs from Maven Central
  js    jsonata-js (the repo's jsonata 2.0.6) in a long-lived node process (jsonata-server.js)

What is real: LocalStack's ASL parser and evaluator, every state (Task, Parallel, Choice, Wait, Fail, Retry, Catch,
Assign, Output, TimeoutSeconds), its JSONata variable binding and its service integrations, including the Batch
`.sync` pattern (SubmitJob, then DescribeJobs polls; SUCCEEDED -> the job detail, FAILED -> States.TaskFailed with the
job detail as Cause). What is faked: the boto3 client those integrations call (LocalStack's `boto_client_for`), which
answers from the scenario's script in the AWS API's own shapes (camelCase, as boto3 returns them), and time: every
declared second (TimeoutSeconds, Wait, Retry intervals) lasts INTERP_TIME_SCALE real seconds (default 0.05), so a
60-second deadline passes in 3 s.

A scenario may also run several executions in a row (`runs`) that share a DynamoDB item store (the optimized
dynamodb:getItem / putItem integration, with a version condition) and the job-definition revisions
(DescribeJobDefinitions / DeregisterJobDefinition): README.md, "Several executions in a row".

  harness.py --engine java|js --definitions DIR --scenarios FILE [--only NAME,...] [--jars DIR] [--json OUT]
  harness.py report RESULTS.json... [--scenarios FILE] [--divergences FILE]
"""
from __future__ import annotations

import argparse
import copy
import datetime
import decimal
import json
import os
import re
import subprocess
import sys
import threading
import time
import traceback
import types
import uuid
from typing import Any

ACCOUNT = '123456789012'
REGION = 'eu-west-2'
TIME_SCALE = float(os.environ.get('INTERP_TIME_SCALE', '0.05'))
# A scenario that has not ended after this much real time is a failure (a hang is a finding too).
SCENARIO_TIMEOUT = float(os.environ.get('INTERP_SCENARIO_TIMEOUT', '60'))
HERE = os.path.dirname(os.path.abspath(__file__))
IAM_PREFIX = {'stepfunctions': 'states', 'sfn': 'states', 'cloudwatchlogs': 'logs'}
# Calls every run makes besides its work (its event, a bad run's log tail, the one-time schedule of its start check,
# on by default for a tracked job run): left out of `calls` unless `allCalls`.
BOOKKEEPING = {'events:putEvents', 'logs:getLogEvents', 'scheduler:createSchedule'}
ACTIVE = {'SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING'}


def snake_to_camel(name: str) -> str:
    head, *rest = name.split('_')
    return head + ''.join(p[:1].upper() + p[1:] for p in rest)


# ---------------------------------------------------------------------------------------------------------------
# The scripted AWS
# ---------------------------------------------------------------------------------------------------------------

class ScriptedError(Exception):
    pass


class World:
    """What outlives one execution: the DynamoDB items (by the key attribute `workload`'s S) and the job-definition
    revisions a scenario knows. A single-run scenario has one of its own; the runs of a multi-run scenario share one."""

    def __init__(self, scenario: dict):
        self.store: dict[str, dict] = {}
        for key, item in (scenario.get('store') or {}).items():
            wrong = item_problem(item, 'store item')
            if wrong or item['workload']['S'] != key:
                raise ValueError(f"store: the item of key {key!r} must be typed attributes (S/N) with workload.S = {key!r}: {wrong or item['workload']}")
            self.store[key] = copy.deepcopy(item)
        self.revisions: list[int] = sorted({int(r) for r in scenario.get('jobDefinitionRevisions') or []})
        self.deregistered: list[tuple[str, int]] = []  # (job definition name, revision), in order
        self.known_names: set[str] = set()  # the job definitions the rendered definitions pin

    def is_active(self, name: str, revision: int) -> bool:
        return revision in self.revisions and (name, revision) not in self.deregistered


class FakeAws:
    """Answers the AWS API calls of one execution from a scenario's `aws` script, and records them in order."""

    def __init__(self, scenario: dict, world: World | None = None):
        self.world = world if world is not None else World(scenario)
        # Calls outside the harness's contract (contract_problem: a DynamoDB request it does not answer, a
        # deregistration without a revision): each fails the scenario, whatever the execution made of the error it got.
        self.problems: list[str] = []
        self.rules: dict[str, list[dict]] = {k: [dict(r, used=0) for r in v] for k, v in scenario.get('aws', {}).items()}
        self.label_re = re.compile(scenario['label']) if scenario.get('label') else None
        self.lock = threading.RLock()
        self.calls: list[dict] = []
        self.jobs: dict[str, dict] = {}  # jobId -> {name, queue, definition, label, status}
        self.counter = 0
        self.last_poll: dict[str, str] = {}

    # -- helpers ------------------------------------------------------------------------------------------------
    def label_of(self, job_name: str | None) -> str | None:
        if not job_name or not self.label_re:
            return None
        m = self.label_re.search(job_name)
        return m.group(1) if m else None

    def _label_for(self, action: str, params: dict) -> str | None:
        if 'jobName' in params:
            return self.label_of(params['jobName'])
        ids = params.get('jobs') or ([params['jobId']] if 'jobId' in params else [])
        if params.get('arrayJobId'):
            ids = [params['arrayJobId']]
        for i in ids:
            if i in self.jobs:
                return self.jobs[i]['label']
        for f in params.get('filters') or []:
            for v in f.get('values') or []:
                lab = self.label_of(v)
                if lab:
                    return lab
        return None

    def _match(self, rule: dict, params: dict, label: str | None) -> bool:
        if rule.get('times') is not None and rule['used'] >= rule['times']:
            return False
        for key, pattern in (rule.get('match') or {}).items():
            value = label if key == 'label' else params.get(key)
            text = value if isinstance(value, str) else json.dumps(value, default=str)
            if value is None or not re.search(pattern, text):
                return False
        return True

    # -- the call -----------------------------------------------------------------------------------------------
    def call(self, service: str, action: str, params: dict, via: str) -> dict:
        with self.lock:
            name = f'{IAM_PREFIX.get(service, service)}:{action}'
            label = self._label_for(action, params)
            problem = contract_problem(name, params)
            if problem:
                self.problems.append(f'{name}: {problem}')
                self.calls.append({'call': name, 'label': label, 'params': copy.deepcopy(params), 'via': via,
                                   'error': {'code': 'HarnessContract', 'message': problem}})
                raise ScriptedError(f'{name}: {problem}')
            rule = next((r for r in self.rules.get(name, []) if self._match(r, params, label)), None)
            if rule is not None:
                rule['used'] += 1
            answer = self._answer(name, params, rule)
            # A .sync integration polls DescribeJobs until the job ends: repeated polls with the same answer are
            # recorded once, so that the call list does not depend on timing.
            if via == 'sync' and name == 'batch:describeJobs':
                key = json.dumps(params.get('jobs'))
                summary = json.dumps(answer, sort_keys=True, default=str)
                if self.last_poll.get(key) == summary:
                    return answer
                self.last_poll[key] = summary
            self.calls.append({'call': name, 'label': label, 'params': copy.deepcopy(params), 'via': via,
                               'error': answer.get('__error__') if isinstance(answer, dict) else None})
            if isinstance(answer, dict) and '__error__' in answer:
                raise_client_error(answer['__error__'], action)
            return answer

    def _answer(self, name: str, params: dict, rule: dict | None) -> dict:
        if rule is not None and 'error' in rule:
            return {'__error__': rule['error']}
        scripted = self._template(copy.deepcopy(rule.get('return')), params) if rule is not None else None
        if name == 'batch:submitJob':
            self.counter += 1
            label = self.label_of(params.get('jobName'))
            job_id = (scripted or {}).get('jobId') or f"{label or 'job'}-{self.counter}"
            self.jobs[job_id] = {'name': params.get('jobName'), 'queue': params.get('jobQueue'),
                                 'definition': params.get('jobDefinition'), 'label': label, 'status': 'SUBMITTED',
                                 'arraySize': (params.get('arrayProperties') or {}).get('size')}
            return {'jobArn': f'arn:aws:batch:{REGION}:{ACCOUNT}:job/{job_id}', 'jobName': params.get('jobName'),
                    'jobId': job_id, **(scripted or {})}
        if name == 'batch:describeJobs':
            jobs = scripted['jobs'] if scripted is not None else [{'status': 'SUCCEEDED'}] * len(params.get('jobs') or [])
            ids = params.get('jobs') or []
            filled = [self._job_detail(ids[i] if i < len(ids) else None, j) for i, j in enumerate(jobs)]
            return {'jobs': filled}
        if scripted is not None:
            return scripted
        if name.startswith('dynamodb:'):
            return self._dynamodb(name, params)
        if name == 'batch:describeJobDefinitions':
            return self._describe_job_definitions(params)
        if name == 'batch:deregisterJobDefinition':
            name_, revision = parse_job_definition(params['jobDefinition'])
            self.world.deregistered.append((name_, revision))
            return {}
        if name == 'batch:listJobs':
            return {'jobSummaryList': self._list_jobs(params)}
        if name == 'sns:publish':
            return {'messageId': str(uuid.uuid4())}
        if name == 'states:listExecutions':
            return {'executions': []}
        if name == 'events:putEvents':
            return {'FailedEntryCount': 0, 'Entries': [{'EventId': str(uuid.uuid4())}]}  # EventBridge's API shape is PascalCase
        if name == 'logs:getLogEvents':
            return {'events': [], 'nextForwardToken': 'f/0', 'nextBackwardToken': 'b/0'}
        if name == 'scheduler:createSchedule':  # the default start check's one-time schedule (nothing runs it here)
            return {'scheduleArn': f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/{params.get('GroupName')}/{params.get('Name')}"}
        if name == 'states:stopExecution':
            return {'stopDate': datetime.datetime.now(datetime.timezone.utc)}
        if name == 'batch:terminateJob':
            for i in [params.get('jobId')]:
                if i in self.jobs:
                    self.jobs[i]['status'] = 'FAILED'
            return {}
        raise ScriptedError(f'no answer scripted for {name}')

    def _dynamodb(self, name: str, params: dict) -> dict:
        """GetItem and PutItem on the world's store (contract_problem has checked the request's shape). What Step
        Functions gives the state machine carries SdkHttpMetadata and SdkResponseMetadata too, as AWS's does."""
        store = self.world.store
        key = (params.get('Key') or params.get('Item'))['workload']['S']
        meta = {'SdkHttpMetadata': {'AllHttpHeaders': {'Content-Type': ['application/x-amz-json-1.0']},
                                    'HttpHeaders': {'Content-Type': 'application/x-amz-json-1.0'}, 'HttpStatusCode': 200},
                'SdkResponseMetadata': {'RequestId': 'req-00000000'}}
        if name == 'dynamodb:getItem':
            return {'Item': copy.deepcopy(store[key]), **meta} if key in store else meta
        # putItem: attribute_not_exists(workload) OR version = :expected
        held = store.get(key)
        expected = params['ExpressionAttributeValues'][':expected']['N']
        if held is not None and not (isinstance(held.get('version'), dict) and 'N' in held['version']
                                     and decimal.Decimal(held['version']['N']) == decimal.Decimal(expected)):
            return {'__error__': {'code': 'ConditionalCheckFailedException', 'message': 'The conditional request failed', 'status': 400}}
        store[key] = copy.deepcopy(params['Item'])
        return meta

    def _describe_job_definitions(self, params: dict) -> dict:
        """DescribeJobDefinitions: the revisions the scenario knows (`jobDefinitionRevisions`, and every run's
        `pinnedRevision`), by name and status, ascending; `maxResults` a page, `nextToken` the next."""
        asked = params.get('jobDefinitionName')
        names = [asked] if asked else sorted({n for n, _ in self.world.deregistered} | set(self.world.known_names))
        found = []
        for n in names:
            for r in self.world.revisions:
                status = 'ACTIVE' if self.world.is_active(n, r) else 'INACTIVE'
                if params.get('status') and params['status'] != status:
                    continue
                found.append({'jobDefinitionName': n, 'jobDefinitionArn': f'arn:aws:batch:{REGION}:{ACCOUNT}:job-definition/{n}:{r}',
                              'revision': r, 'status': status, 'type': 'container'})
        wanted = params.get('jobDefinitions')
        if wanted:
            ids = {parse_job_definition(w) for w in wanted}
            found = [d for d in found if (d['jobDefinitionName'], d['revision']) in ids]
        start = int(params.get('nextToken') or 0)
        size = int(params.get('maxResults') or 100)
        page = {'jobDefinitions': found[start:start + size]}
        if start + size < len(found):
            page['nextToken'] = str(start + size)
        return page

    @staticmethod
    def _template(value: Any, params: dict) -> Any:
        """`{jobNamePrefix}` in a scripted string: the request's JOB_NAME filter without its `*`; ISO times in the keys
        startDate and stopDate become datetimes, as boto3 returns them."""
        prefix = next((v[:-1] for f in params.get('filters') or [] if f.get('name') == 'JOB_NAME'
                       for v in f.get('values') or [] if v.endswith('*')), '')

        def walk(v, key=None):
            if isinstance(v, dict):
                return {k: walk(x, k) for k, x in v.items()}
            if isinstance(v, list):
                return [walk(x) for x in v]
            if isinstance(v, str):
                v = v.replace('{jobNamePrefix}', prefix)
                if key in ('startDate', 'stopDate'):
                    return datetime.datetime.fromisoformat(v.replace('Z', '+00:00'))
            return v
        return walk(value)

    def _job_detail(self, job_id: str | None, given: dict) -> dict:
        """A DescribeJobs job detail: what the scenario gives, the rest from the submission."""
        job = self.jobs.get(job_id or given.get('jobId'), {})
        job_id = given.get('jobId', job_id)
        status = given.get('status', 'SUCCEEDED')
        if job:
            job['status'] = status
        created = 1764640801000
        detail = {
            'jobArn': f'arn:aws:batch:{REGION}:{ACCOUNT}:job/{job_id}',
            'jobName': job.get('name', 'job'),
            'jobId': job_id,
            'jobQueue': job.get('queue', f'arn:aws:batch:{REGION}:{ACCOUNT}:job-queue/q'),
            'status': status,
            'attempts': [],
            'createdAt': created,
            'jobDefinition': job.get('definition', f'arn:aws:batch:{REGION}:{ACCOUNT}:job-definition/d:1'),
            'container': {},
        }
        if status in ('SUCCEEDED', 'FAILED'):
            detail.update(startedAt=created + 60_000, stoppedAt=created + 120_000)
        if status == 'SUCCEEDED':
            stream = f'default/{job_id}'
            detail['container'] = {'exitCode': 0, 'logStreamName': stream}
            detail['attempts'] = [{'container': {'exitCode': 0, 'logStreamName': stream}, 'startedAt': created + 60_000,
                                   'stoppedAt': created + 120_000, 'statusReason': 'Essential container in task exited'}]
        if job.get('arraySize'):
            detail['arrayProperties'] = {'size': job['arraySize'], 'statusSummary': {}}
            detail.pop('container', None)
        detail.update(given)
        return detail

    def _list_jobs(self, params: dict) -> list:
        """ListJobs: the submitted jobs of the queue whose name matches the JOB_NAME filter (a trailing * is a prefix)."""
        if params.get('arrayJobId'):
            return []
        out = []
        for job_id, job in self.jobs.items():
            if params.get('jobQueue') and job['queue'] != params['jobQueue']:
                continue
            ok = True
            for f in params.get('filters') or []:
                if f.get('name') == 'JOB_NAME':
                    ok = ok and any(job['name'] == v or (v.endswith('*') and job['name'].startswith(v[:-1])) for v in f['values'])
            if ok:
                out.append({'jobArn': f'arn:aws:batch:{REGION}:{ACCOUNT}:job/{job_id}', 'jobId': job_id, 'jobName': job['name'],
                            'createdAt': 1764640801000, 'status': job['status']})
        return out


def raise_client_error(error: dict, action: str):
    from botocore.exceptions import ClientError
    raise ClientError({'Error': {'Code': error.get('code', 'ClientException'), 'Message': error.get('message', 'scripted error')},
                       'ResponseMetadata': {'HTTPStatusCode': error.get('status', 400), 'RequestId': 'req-00000000'}},
                      snake_to_camel(action))


# The DynamoDB requests the harness answers (the rollout state item, read and written with the optimized integration):
# every other request fails the scenario with what is not supported, rather than with an answer DynamoDB would not give.
PUT_CONDITION = re.compile(r'\s*attribute_not_exists\(\s*workload\s*\)\s+(?i:or)\s+version\s*=\s*:expected\s*')
GET_ITEM_PARAMS = {'TableName', 'Key', 'ConsistentRead'}
PUT_ITEM_PARAMS = {'TableName', 'Item', 'ConditionExpression', 'ExpressionAttributeValues'}
JOB_DEFINITION = re.compile(r'^(?:arn:aws:batch:[^:]*:[0-9]*:job-definition/)?([A-Za-z0-9_-]+):([0-9]+)$')


def value_problem(value: Any, where: str) -> str | None:
    """A typed attribute value the harness takes: {"S": string} or {"N": string holding a number}."""
    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in ('S', 'N'):
        return f'{where} = {json.dumps(value, default=str)}: the harness takes {{"S": string}} or {{"N": string}} only'
    kind, v = next(iter(value.items()))
    if not isinstance(v, str):
        # LocalStack passes a JSON number on as it is; AWS Step Functions fails the Task (States.Runtime:
        # "The value for the field 'N' must be a STRING"): DynamoDB's S and N are strings.
        return f'{where}.{kind} = {json.dumps(v)}: must be a string ($string(...)), AWS fails the Task otherwise'
    if kind == 'N':
        try:
            decimal.Decimal(v)
        except decimal.InvalidOperation:
            return f'{where}.N = {v!r} is not a number (DynamoDB: ValidationException)'
    return None


def item_problem(item: Any, where: str) -> str | None:
    if not isinstance(item, dict) or not isinstance(item.get('workload'), dict) or not item['workload'].get('S'):
        return f'{where} has no key attribute workload {{"S": non-empty string}}: {json.dumps(item, default=str)[:200]}'
    for attribute, value in item.items():
        wrong = value_problem(value, f'{where}.{attribute}')
        if wrong:
            return wrong
    return None


def contract_problem(name: str, params: dict) -> str | None:
    """Why a request is outside what the harness answers (None when it is inside)."""
    if name == 'dynamodb:getItem':
        extra = set(params) - GET_ITEM_PARAMS
        if extra:
            return f'GetItem with {sorted(extra)}: the harness answers TableName, Key and ConsistentRead only'
        if not params.get('TableName'):
            return 'GetItem without a TableName'
        if params.get('ConsistentRead') is not True:
            return ('GetItem without ConsistentRead: true (the harness\'s store is strongly consistent; an eventually '
                    'consistent read in AWS may miss the last write)')
        key = params.get('Key')
        if not isinstance(key, dict) or sorted(key) != ['workload']:
            return f'GetItem Key {json.dumps(key, default=str)}: the key is workload alone'
        return value_problem(key['workload'], 'Key.workload') or (None if 'S' in key['workload'] else 'Key.workload must be S')
    if name == 'dynamodb:putItem':
        extra = set(params) - PUT_ITEM_PARAMS
        if extra:
            return f'PutItem with {sorted(extra)}: the harness answers TableName, Item, ConditionExpression, ExpressionAttributeValues only'
        if not params.get('TableName'):
            return 'PutItem without a TableName'
        wrong = item_problem(params.get('Item'), 'Item')
        if wrong:
            return wrong
        if 'N' not in (params['Item'].get('version') or {}):
            return 'PutItem Item without version {"N": ...} (the condition compares it)'
        condition = params.get('ConditionExpression')
        if not isinstance(condition, str) or not PUT_CONDITION.fullmatch(condition):
            return (f'PutItem ConditionExpression {condition!r}: the harness evaluates '
                    '"attribute_not_exists(workload) OR version = :expected" only')
        values = params.get('ExpressionAttributeValues')
        if not isinstance(values, dict) or sorted(values) != [':expected']:
            return f'PutItem ExpressionAttributeValues {json.dumps(values, default=str)}: expected exactly :expected (DynamoDB rejects unused values)'
        wrong = value_problem(values[':expected'], 'ExpressionAttributeValues.:expected')
        return wrong or (None if 'N' in values[':expected'] else ':expected must be N')
    if name in ('dynamodb:updateItem', 'dynamodb:deleteItem'):
        return 'the harness answers dynamodb:getItem and dynamodb:putItem only'
    if name == 'batch:deregisterJobDefinition':
        if not JOB_DEFINITION.match(str(params.get('jobDefinition'))):
            return f"jobDefinition {params.get('jobDefinition')!r}: expected an ARN (or name:revision) with its revision"
    return None


def parse_job_definition(text: str) -> tuple[str, int]:
    m = JOB_DEFINITION.match(text)
    return m.group(1), int(m.group(2))


def sdk_action_problems(definition: dict) -> list[str]:
    """The `aws-sdk:<service>:<action>` resources that AWS would reject when the state machine is created (the
    action is not one of the service's API actions; LocalStack accepts the definition and fails the Task at run
    time instead). Checked against botocore's model of the service, through LocalStack's own lookup."""
    from localstack.services.stepfunctions.asl.component.state.state_execution.state_task.service.state_task_service import StateTaskService
    problems = []
    for resource in sorted(set(re.findall(r'arn:aws:states:::aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)', json.dumps(definition)))):
        service, action = resource
        boto = {**StateTaskService._SERVICE_NAME_SFN_TO_BOTO_OVERRIDES, 'cloudwatchlogs': 'logs'}.get(service, service)
        try:
            StateTaskService._get_boto_operation_model(boto, action)
        except Exception as e:  # noqa
            e = str(e) if 'Unknown service' not in str(e) else f'no service {boto!r} in botocore'
            noun = re.sub(r'^[a-z]+', '', action).lower()  # listJobDefinitions -> jobdefinitions
            same = [o for o in _operation_names(boto) if noun and noun in o.lower()]
            problems.append(f'arn:aws:states:::aws-sdk:{service}:{action}: {e}' + (f' (did you mean {same}?)' if same else ''))
    return problems


def _operation_names(boto_service: str) -> list[str]:
    try:
        from localstack.aws.spec import load_service
        return list(load_service(service=boto_service).operation_names)
    except Exception:  # noqa
        return []


class FakeClient:
    """Stands for the boto3 client LocalStack's integrations build: each method is an AWS API call."""

    def __init__(self, aws_ref: list, service: str, via: str):
        self._aws_ref, self._service, self._via = aws_ref, service, via

    def __getattr__(self, method: str):
        if method.startswith('_'):
            raise AttributeError(method)

        def call(**params):
            return self._aws_ref[0].call(self._service, snake_to_camel(method), params, self._via)
        return call


# ---------------------------------------------------------------------------------------------------------------
# LocalStack, patched: the clients, the clock, the JSONata engine
# ---------------------------------------------------------------------------------------------------------------

CURRENT_AWS: list = [None]


def patch_localstack(engine: str, jars: str | None):
    import localstack.services.stepfunctions.asl.utils.boto_client as boto_client_mod
    from localstack.services.stepfunctions.asl.component.state.state_execution.state_task.service import (
        state_task_service_aws_sdk as aws_sdk_mod, state_task_service_batch as batch_mod,
        state_task_service_callback as callback_mod)
    import localstack.services.stepfunctions.asl.component.state.state_execution.execute_state as execute_state_mod
    import localstack.services.stepfunctions.asl.component.common.retry.retrier_decl as retrier_mod
    from localstack.services.stepfunctions.asl.component.state.state_wait.wait_function.wait_function import WaitFunction
    import localstack.services.stepfunctions.asl.jsonata.jsonata as jsonata_mod

    # The AWS SDK integration's service name of CloudWatch Logs is `cloudwatchlogs`
    # (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html); LocalStack's map to boto
    # service names lacks it (boto's is `logs`).
    from localstack.services.stepfunctions.asl.component.state.state_execution.state_task.service.state_task_service import StateTaskService
    StateTaskService._SERVICE_NAME_SFN_TO_BOTO_OVERRIDES['cloudwatchlogs'] = 'logs'

    # Clients: every module that imported boto_client_for gets the scripted one.
    def client_for(via):
        return lambda service, region, state_credentials: FakeClient(CURRENT_AWS, service, via)
    boto_client_mod.boto_client_for = client_for('sdk')
    import localstack.services.stepfunctions.asl.component.state.state_execution.state_task.service as service_pkg
    import pkgutil, importlib
    for m in pkgutil.iter_modules(service_pkg.__path__):
        mod = importlib.import_module(f'{service_pkg.__name__}.{m.name}')
        if hasattr(mod, 'boto_client_for'):
            mod.boto_client_for = client_for('sync' if mod is batch_mod else 'sdk')
    assert aws_sdk_mod.boto_client_for is not None

    # Time: declared seconds x TIME_SCALE.
    class ScaledEvent(threading.Event):
        def wait(self, timeout=None):
            return super().wait(None if timeout is None else timeout * TIME_SCALE)
    execute_state_mod.threading = types.SimpleNamespace(Event=ScaledEvent)
    retrier_mod.time = types.SimpleNamespace(sleep=lambda s: time.sleep(s * TIME_SCALE))

    def scaled_wait_interval(self, env, wait_seconds):
        if wait_seconds > 0:
            env.program_state_event.wait(wait_seconds * TIME_SCALE)
    WaitFunction._wait_interval = scaled_wait_interval
    callback_mod._DELAY_SECONDS_SYNC_CONDITION_CHECK = 0.02

    # JSONata.
    if engine == 'java':
        class Installer:
            def install(self):
                pass

            def get_java_lib_path(self):
                return java_lib_path()

            def get_installed_dir(self):
                return jars

        jsonata_mod.jpype_jsonata_package = types.SimpleNamespace(get_installer=lambda: Installer())
    else:
        jsonata_mod._eval_jsonata = NodeJsonata().evaluate

    # Remember which expression of the definition each composed expression (variables bound in front) is.
    import localstack.services.stepfunctions.asl.component.common.string.string_expression as string_expression_mod
    compose = string_expression_mod.compose_jsonata_expression

    def remembering_compose(final_jsonata_expression, variable_declarations_list):
        composed = compose(final_jsonata_expression=final_jsonata_expression,
                           variable_declarations_list=variable_declarations_list)
        DEFINITION_EXPRESSION[composed] = final_jsonata_expression
        return composed
    string_expression_mod.compose_jsonata_expression = remembering_compose
    return jsonata_mod


DEFINITION_EXPRESSION: dict[str, str] = {}
DIVERGENCES: list[dict] = []
CURRENT_SCENARIO: list = [None]


def differential(jsonata_mod, other: 'NodeJsonata'):
    """Evaluates every expression with jsonata-js too, and records where the answers differ. The execution goes on
    with the engine's own answer: the other one is only observed."""
    own = jsonata_mod._eval_jsonata

    def outcome(fn, expression):
        try:
            return {'value': json.loads(json.dumps(fn(expression)))}
        except Exception as e:  # noqa
            return {'error': str(getattr(e, 'details', None) or e)[:300]}

    def evaluate(expression):
        mine, theirs = outcome(own, expression), outcome(other.evaluate, expression)
        if ('error' in mine) != ('error' in theirs) or mine.get('value') != theirs.get('value'):
            DIVERGENCES.append({'scenario': CURRENT_SCENARIO[0], 'expression': DEFINITION_EXPRESSION.get(expression, expression),
                                'java': mine, 'js': theirs, 'composed': expression})
        if 'error' in mine:
            return own(expression)  # raise it as the engine raises it
        return mine['value']
    jsonata_mod._eval_jsonata = evaluate


def java_lib_path() -> str:
    home = os.environ.get('JAVA_HOME')
    candidates = [os.path.join(home, 'lib', 'server', 'libjvm.so')] if home else []
    try:
        import jpype
        candidates.append(jpype.getDefaultJVMPath())
    except Exception:  # noqa
        pass
    for c in candidates:
        if c and os.path.exists(c):
            return c
    raise RuntimeError('no JVM found: set JAVA_HOME')


class NodeJsonata:
    """jsonata-js in one node process for the whole run."""

    def __init__(self):
        self.proc = subprocess.Popen(['node', os.path.join(HERE, 'jsonata-server.js')], cwd=HERE, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        hello = json.loads(self.proc.stdout.readline())
        self.version = hello['version']
        self.lock = threading.Lock()
        self.next_id = 0

    def evaluate(self, expression: str) -> Any:
        from localstack.services.stepfunctions.asl.jsonata.jsonata import JSONataException
        with self.lock:
            self.next_id += 1
            self.proc.stdin.write(json.dumps({'id': self.next_id, 'expression': expression}) + '\n')
            self.proc.stdin.flush()
            answer = json.loads(self.proc.stdout.readline())
        if 'error' in answer:
            raise JSONataException('UNKNOWN', answer['error'])
        return answer['value']


# ---------------------------------------------------------------------------------------------------------------
# One execution
# ---------------------------------------------------------------------------------------------------------------

def execute(definition: dict, state_machine_arn: str, execution_input: Any, name: str) -> dict:
    from localstack.aws.api.stepfunctions import StateMachineType
    from localstack.services.stepfunctions.asl.eval.environment import Environment
    from localstack.services.stepfunctions.asl.eval.evaluation_details import AWSExecutionDetails
    from localstack.services.stepfunctions.asl.eval.event.event_manager import EventHistoryContext
    from localstack.services.stepfunctions.asl.eval.program_state import (ProgramEnded, ProgramError, ProgramStopped,
                                                                           ProgramTimedOut)
    from localstack.services.stepfunctions.asl.eval.states import ContextObjectData, ExecutionData, StateMachineData
    from localstack.services.stepfunctions.asl.parse.asl_parser import AmazonStateLanguageParser

    program = AmazonStateLanguageParser.parse(json.dumps(definition))[0]
    sm_name = state_machine_arn.split(':')[-1]
    role = f'arn:aws:iam::{ACCOUNT}:role/StateMachineRole'
    now = datetime.datetime.now(datetime.timezone.utc)
    env = Environment(
        aws_execution_details=AWSExecutionDetails(account=ACCOUNT, region=REGION, role_arn=role),
        execution_type=StateMachineType.STANDARD,
        context=ContextObjectData(
            Execution=ExecutionData(Id=f'arn:aws:states:{REGION}:{ACCOUNT}:execution:{sm_name}:{name}', Input=execution_input,
                                    Name=name, RoleArn=role, StartTime=now.isoformat(timespec='milliseconds').replace('+00:00', 'Z')),
            StateMachine=StateMachineData(Id=state_machine_arn, Name=sm_name),
        ),
        event_history_context=EventHistoryContext.of_program_start(),
        cloud_watch_logging_session=None,
        activity_store={},
    )
    done = threading.Event()
    crash: list = []

    def run():
        try:
            program.eval(env)
        except Exception:  # noqa
            crash.append(traceback.format_exc())
        done.set()
    threading.Thread(target=run, daemon=True).start()
    if not done.wait(SCENARIO_TIMEOUT):
        env.set_stop(stop_date=datetime.datetime.now(), cause='harness timeout', error='HarnessTimeout')
        return {'status': 'HUNG', 'error': None, 'cause': f'no end after {SCENARIO_TIMEOUT}s'}
    if crash:
        return {'status': 'CRASHED', 'error': None, 'cause': crash[0]}
    state = env.program_state()
    events = env.event_manager.get_event_history()
    if isinstance(state, ProgramEnded):
        return {'status': 'SUCCEEDED', 'error': None, 'cause': None, 'events': events}
    if isinstance(state, ProgramError):
        err = state.error or {}
        return {'status': 'FAILED', 'error': err.get('error'), 'cause': err.get('cause'), 'events': events}
    if isinstance(state, ProgramTimedOut):
        return {'status': 'TIMED_OUT', 'error': None, 'cause': None, 'events': events}
    if isinstance(state, ProgramStopped):
        return {'status': 'ABORTED', 'error': state.error, 'cause': state.cause, 'events': events}
    return {'status': type(state).__name__, 'error': None, 'cause': None, 'events': events}


def plant_empty_last(definition: dict):
    """INTERP_PLANT_EMPTY_LAST=1, to show that the java runs catch an expression that only the Java port rejects:
    `[][-1]` (the last item of an empty array: nothing in jsonata-js, an IndexOutOfBoundsException in the Java port)
    is planted in the Output of every Batch .sync Task. Never set in CI."""
    def walk(states: dict):
        for state in states.values():
            if str(state.get('Resource', '')).endswith(':batch:submitJob.sync') and isinstance(state.get('Output'), str):
                state['Output'] = '{% ($planted := [][-1]; ' + state['Output'][2:-2].strip() + ') %}'
            for branch in state.get('Branches', []):
                walk(branch['States'])
    walk(definition['States'])


def evaluation_errors(events) -> list[str]:
    """The JSONata evaluation errors the execution met (caught ones included): what tells two engines apart."""
    out = []
    for e in events or []:
        for v in e.values():
            # LocalStack reports a JSONata evaluation error as States.Runtime, AWS as States.QueryEvaluationError.
            if isinstance(v, dict) and v.get('error') in ('States.QueryEvaluationError', 'States.Runtime'):
                cause = str(v.get('cause'))[:300]
                if cause not in out:
                    out.append(cause)
    return out


# ---------------------------------------------------------------------------------------------------------------
# Checking a scenario
# ---------------------------------------------------------------------------------------------------------------

def match_calls(expected: list, actual: list[dict]) -> str | None:
    """None when `actual` is `expected`: entries 'service:action' or 'service:action label', and {"anyOrder": [...]}."""
    def same(e: str, a: dict) -> bool:
        call, _, label = e.partition(' ')
        return call == a['call'] and (not label or label == a['label'])

    i = 0
    for e in expected:
        group = e['anyOrder'] if isinstance(e, dict) else [e]
        window = actual[i:i + len(group)]
        left = list(group)
        for a in window:
            hit = next((x for x in left if same(x, a)), None)
            if hit is None:
                break
            left.remove(hit)
        if left or len(window) < len(group):
            return f'call #{i + 1}: expected {group if isinstance(e, dict) else e}, got {show(actual[i:i + max(1, len(group))])}'
        i += len(group)
    if i < len(actual):
        return f'unexpected calls after #{i}: {show(actual[i:])}'
    return None


def show(calls: list[dict]) -> str:
    return ', '.join(c['call'] + (f" {c['label']}" if c['label'] else '') for c in calls) or '(none)'


def check(scenario: dict, result: dict, aws: FakeAws) -> str | None:
    """Why the execution of `scenario` (a single-run scenario, or one run of a multi-run one) is not what its
    `expect` says; None when it is."""
    exp = scenario['expect']
    if aws.problems:
        return f"outside the harness's contract: {'; '.join(aws.problems)}; calls: {show(aws.calls)}"
    if result['status'] != exp['status']:
        return f"status {result['status']} (error {result['error']}: {str(result['cause'])[:200]}), expected {exp['status']}; calls: {show(aws.calls)}"
    if 'error' in exp and result['error'] != exp['error']:
        return f"error {result['error']}, expected {exp['error']}; calls: {show(aws.calls)}"
    calls = aws.calls if exp.get('allCalls') else [c for c in aws.calls if c['call'] not in BOOKKEEPING]
    if 'calls' in exp:
        wrong = match_calls(exp['calls'], calls)
        if wrong:
            return wrong
    if 'transitions' in exp:
        entered = [e for e in result.get('events') or [] if str(e.get('type', '')).endswith('StateEntered')]
        if len(entered) != exp['transitions']:
            return f"{len(entered)} states entered, expected {exp['transitions']}: {[e.get('stateEnteredEventDetails', {}).get('name') for e in entered]}"
    if 'events' in exp:
        sent = [c for c in aws.calls if c['call'] == 'events:putEvents' and not c['error']]
        entries = [(c['params'].get('Entries') or [{}])[0] for c in sent]
        details = [json.loads(e.get('Detail')) if isinstance(e.get('Detail'), str) else e.get('Detail') or {} for e in entries]
        if [d.get('outcome') for d in details] != exp['events']:
            return f"events {[d.get('outcome') for d in details]}, expected {exp['events']}"
        for entry, d in zip(entries, details):
            if sorted(d) != sorted(EVENT_DETAIL_KEYS):
                return f'event detail keys {sorted(d)}, expected {sorted(EVENT_DETAIL_KEYS)}'
            if entry.get('Source') != 'cdk-scheduled-batch' or entry.get('DetailType') != 'Scheduled Batch Run':
                return f'event source/detail type {entry.get("Source")!r}/{entry.get("DetailType")!r}'
    publishes = [c for c in aws.calls if c['call'] == 'sns:publish' and not c['error']]
    want = exp.get('publishes', 0 if exp['status'] == 'SUCCEEDED' else 1)
    if len(publishes) != want:
        return f'{len(publishes)} sns:publish, expected {want}'
    if publishes:
        message, subject = publishes[0]['params'].get('Message', ''), publishes[0]['params'].get('Subject', '')
        # A message in two forms (MessageStructure json): `message` is checked on the text, `chat` on the card.
        card = None
        if publishes[0]['params'].get('MessageStructure') == 'json':
            forms = json.loads(message)
            if sorted(forms) != ['default', 'email', 'https'] or forms['default'] != forms['email']:
                return f'message forms {sorted(forms)}, expected default = email, and https'
            message, card = forms['default'], json.loads(forms['https'])
            wrong = chat_card_errors(card)
            if wrong:
                return f'chat card invalid: {wrong}'
        elif exp.get('chat'):
            return 'message has one form only, expected the chat card too'
        for s in exp.get('chat', []):
            if s not in json.dumps(card):
                return f'chat card lacks {s!r}; description ends: {card["content"]["description"][-300:]!r}'
        for s in exp.get('message', []):
            if s not in message:
                return f'message lacks {s!r}; message: {message[:400]!r}'
        for s in exp.get('messageLacks', []):
            if s in message:
                return f'message has {s!r}'
        for s in exp.get('subject', []):
            if s not in subject:
                return f'subject lacks {s!r}; subject: {subject!r}'
    for s in exp.get('cause', []):
        if s not in str(result['cause']):
            return f"cause lacks {s!r}; cause: {str(result['cause'])[:300]!r}"
    for key, pattern in exp.get('callParams', {}).items():
        idx, _, field = key.partition('.')
        call = calls[int(idx)] if int(idx) < len(calls) else None  # numbered as `calls` lists them
        value = call and call['params'].get(field)
        if call is None or not re.search(pattern, json.dumps(value, default=str) if not isinstance(value, str) else value):
            return f'call #{idx} {field} = {value!r}, expected /{pattern}/'
    if 'storeAfter' in exp:
        return store_problem(exp['storeAfter'], aws.world, 'storeAfter')
    return None


def store_problem(expected: dict, world: World, what: str) -> str | None:
    """`expectStore` / `storeAfter`: key -> {attribute: regex on its S or N value, or null: absent}, or key -> null:
    no item."""
    for key, attributes in expected.items():
        item = world.store.get(key)
        if attributes is None:
            if item is not None:
                return f'{what}: item {key!r} exists, expected none: {json.dumps(item)}'
            continue
        if item is None:
            return f'{what}: no item {key!r}; items: {sorted(world.store)}'
        for attribute, pattern in attributes.items():
            value = item.get(attribute)
            if pattern is None:
                if value is not None:
                    return f'{what}: {key}.{attribute} = {json.dumps(value)}, expected absent'
                continue
            text = value.get('S', value.get('N')) if isinstance(value, dict) else None
            if not isinstance(text, str) or not re.search(pattern, text):
                return f'{what}: {key}.{attribute} = {json.dumps(value)}, expected /{pattern}/; item: {json.dumps(item)}'
    return None


# The run-outcome event's detail keys (docs/events.md).
EVENT_DETAIL_KEYS = ['version', 'outcome', 'workload', 'workflow', 'platform', 'team', 'scheduledTime', 'execution', 'jobId', 'jobName',
                     'jobDefinition', 'revision', 'startedAt', 'stoppedAt', 'durationSeconds', 'attempts', 'reclaimedAttempts', 'vcpus',
                     'memoryMiB', 'estimatedCostUsd', 'exitCode']
CHAT_SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support', 'chat-notification.schema.json')


def schema_errors(value: Any, schema: dict, at: str = '') -> list[str]:
    """The subset of JSON Schema the chat-card schema uses: type, const, required, properties, additionalProperties,
    items, minLength."""
    errors = []
    kind = schema.get('type')
    types = {'object': dict, 'array': list, 'string': str, 'boolean': bool}
    if 'const' in schema and value != schema['const']:
        return [f'{at or "/"} must be {schema["const"]!r}']
    if kind and not isinstance(value, types[kind]):
        return [f'{at or "/"} must be {kind}']
    if kind == 'string' and len(value) < schema.get('minLength', 0):
        errors.append(f'{at} too short')
    if kind == 'array':
        for i, v in enumerate(value):
            errors += schema_errors(v, schema.get('items', {}), f'{at}/{i}')
    if kind == 'object':
        props = schema.get('properties', {})
        errors += [f'{at}/{k} is required' for k in schema.get('required', []) if k not in value]
        for k, v in value.items():
            if k in props:
                errors += schema_errors(v, props[k], f'{at}/{k}')
            elif schema.get('additionalProperties') is False:
                errors.append(f'{at}/{k} is not allowed')
            elif isinstance(schema.get('additionalProperties'), dict):
                errors += schema_errors(v, schema['additionalProperties'], f'{at}/{k}')
    return errors


def chat_card_errors(card: Any) -> list[str]:
    with open(CHAT_SCHEMA) as f:
        return schema_errors(card, json.load(f))


def report(result_files: list[str], scenarios_file: str, divergences_file: str | None) -> int:
    """The table (scenario x engine), the reasons, the divergences, and the closing line. A failure the scenario
    declares in `knownFailures` (engine -> regex of the reason) is KNOWN and counted as skipped, unless INTERP_STRICT=1;
    a known failure that no longer fails is a failure (remove it from the scenario)."""
    scenarios = {s['name']: s for s in json.load(open(scenarios_file))['scenarios']}
    strict = os.environ.get('INTERP_STRICT') == '1'
    rows: dict[str, dict[str, dict]] = {}
    engines: list[str] = []
    for f in result_files:
        if not os.path.exists(f):  # an engine's run that crashed: every scenario of it is MISSING
            m = re.search(r'results-(\w+)\.json$', f)
            if m and m.group(1) not in engines:
                engines.append(m.group(1))
            for name in scenarios:
                rows.setdefault(name, {})
            continue
        for r in json.load(open(f)):
            rows.setdefault(r['scenario'], {})[r['engine']] = r
            if r['engine'] not in engines:
                engines.append(r['engine'])
    passed = failed = known = 0
    width = max([len(n) for n in rows] + [8])
    lines, notes = [f"{'scenario':<{width}}  " + '  '.join(f'{e:<10}' for e in engines)], []
    for name in [n for n in scenarios if n in rows] + [n for n in rows if n not in scenarios]:
        cells = []
        for e in engines:
            r = rows[name].get(e)
            expected = (scenarios.get(name, {}).get('knownFailures') or {}).get(e)
            if r is None:
                cell, failed = 'MISSING', failed + 1
            elif expected and not strict:
                if not r['passed'] and re.search(expected, r['reason'] or ''):
                    cell, known = 'KNOWN', known + 1
                    notes.append(f'{name} [{e}] KNOWN: {r["reason"]}')
                else:
                    cell, failed = 'FAIL', failed + 1
                    notes.append(f'{name} [{e}] FAIL: declared knownFailure /{expected}/ but got: '
                                 + (r['reason'] or 'a pass: remove the knownFailure'))
            elif r['passed']:
                cell, passed = 'PASS', passed + 1
            else:
                cell, failed = 'FAIL', failed + 1
                notes.append(f'{name} [{e}] FAIL: {r["reason"]}')
            if r is not None and r.get('evaluationErrors'):
                notes.append(f'{name} [{e}] JSONata evaluation errors: ' + ' | '.join(r['evaluationErrors']))
            cells.append(f'{cell:<10}')
        lines.append(f'{name:<{width}}  ' + '  '.join(cells))
    print('\n'.join(lines))
    if notes:
        print('\n' + '\n'.join(notes))
    if divergences_file and os.path.exists(divergences_file):
        seen: dict[str, dict] = {}
        for d in json.load(open(divergences_file)):
            seen.setdefault(d['expression'], dict(d, scenarios=set()))['scenarios'].add(d['scenario'])
        print(f'\nJSONata expressions whose answers differ between the engines ({len(seen)}; every expression the '
              'java runs evaluated was evaluated with jsonata-js too):')
        for expression, d in seen.items():
            short = expression if len(expression) <= 160 else expression[:157] + '...'
            print(f"- in {', '.join(sorted(d['scenarios']))}: {short}\n    java: {json.dumps(d['java'])[:200]}\n    js:   {json.dumps(d['js'])[:200]}")
    print(f'\n{passed} passed, {failed} failed' + (f', {known} skipped' if known else ''))
    return 0 if failed == 0 else 1


RUN_KEYS = {'input', 'fixture', 'pinnedRevision', 'aws', 'expect', 'label', 'comment'}
# A job definition the state machine pins, as render-definitions.ts renders it: arn:...:job-definition/<name>:<revision>.
PINNED_JOB_DEFINITION = re.compile(r'(:job-definition/)([^:"\'\\\s]+):([0-9]+)')


def scenario_runs(scn: dict) -> list[dict]:
    """A scenario's executions, in order, each in the shape of a single-run scenario (name, fixture, input, label,
    aws, expect, pinnedRevision): a single-run scenario is its own one run; a run of `runs` takes the scenario's
    fixture, input and label unless it has its own."""
    if 'runs' not in scn:
        return [scn]
    if not isinstance(scn['runs'], list) or not scn['runs']:
        raise ValueError('"runs" must be a non-empty list')
    for k in ('aws', 'expect', 'pinnedRevision'):
        if k in scn:
            raise ValueError(f'a scenario with "runs" takes "{k}" in each run')
    out = []
    for i, run in enumerate(scn['runs']):
        unknown = set(run) - RUN_KEYS
        if unknown or 'expect' not in run:
            raise ValueError(f'run #{i}: ' + (f'unknown keys {sorted(unknown)}' if unknown else 'no "expect"'))
        merged = {k: scn[k] for k in ('name', 'fixture', 'input', 'label') if k in scn}
        merged.update(run)
        if 'fixture' not in merged:
            raise ValueError(f'run #{i}: no fixture')
        out.append(merged)
    return out


def pin_revision(definition: dict, revision: int | None, world: World) -> dict:
    """A copy of the definition; with `revision`, every job-definition ARN it pins names that revision instead (a
    deploy of a new revision), and the revision joins the world's known ones (ACTIVE, as a deploy registers it)."""
    text = json.dumps(definition)
    world.known_names.update(m.group(2) for m in PINNED_JOB_DEFINITION.finditer(text))
    if revision is None:
        return json.loads(text)
    if not isinstance(revision, int) or revision < 1:
        raise ValueError(f'pinnedRevision {revision!r}: expected a revision number >= 1')
    if not PINNED_JOB_DEFINITION.search(text):
        raise ValueError(f'pinnedRevision {revision}: the definition pins no job-definition revision (:job-definition/<name>:<n>)')
    if revision not in world.revisions:
        world.revisions = sorted(world.revisions + [revision])
    return json.loads(PINNED_JOB_DEFINITION.sub(lambda m: f'{m.group(1)}{m.group(2)}:{revision}', text))


def run_scenario(scn: dict, args) -> dict:
    """Runs a scenario's executions in order (one for a single-run scenario), sharing one World; stops at the first
    run that fails. The result names the run that failed (`run #i: ...`) in a multi-run scenario."""
    started = time.time()
    multi = 'runs' in scn
    CURRENT_SCENARIO[0] = scn['name']
    reason, shown, errors = None, [], []
    try:
        runs, world = scenario_runs(scn), World(scn)
    except Exception as e:  # noqa
        runs, world, reason = [], None, f'harness error: {e!r}'
    for i, run in enumerate(runs):
        aws = FakeAws(run, world)
        CURRENT_AWS[0] = aws
        result: dict = {'events': []}
        try:
            rendered = json.load(open(os.path.join(args.definitions, f"{run['fixture']}.json")))
            definition = pin_revision(rendered['definition'], run.get('pinnedRevision'), world)
            rejected = sdk_action_problems(definition)
            if rejected:
                problem = 'AWS would reject the definition (CreateStateMachine): ' + '; '.join(rejected)
            else:
                if os.environ.get('INTERP_PLANT_EMPTY_LAST') == '1':
                    plant_empty_last(definition)
                execution_input = run.get('input', {'scheduledTime': '2026-12-02T02:00:00Z'})
                # Execution names differ per run; their last 12 characters too (a job's name ends with them).
                name = f"interp-{scn['name']}-{i}-0123456789{i:02d}" if multi else f"interp-{scn['name']}-0123456789ab"
                result = execute(definition, rendered['stateMachineArn'], execution_input, name[-80:])
                problem = check(run, result, aws)
        except Exception as e:  # noqa
            problem = f'harness error: {e!r}'
        shown.append((f'run #{i}: ' if multi else '') + show(aws.calls))
        errors += [e for e in evaluation_errors(result.get('events')) if e not in errors]
        if problem:
            reason = f'run #{i}: {problem}' if multi else problem
            break
    if reason is None and world is not None:
        reason = store_problem(scn.get('expectStore') or {}, world, 'expectStore')
        done = [r for _, r in world.deregistered]
        if reason is None and 'expectDeregistered' in scn and done != scn['expectDeregistered']:
            reason = f"expectDeregistered: revisions {done} deregistered, expected {scn['expectDeregistered']}"
    return {'scenario': scn['name'], 'engine': args.engine, 'passed': reason is None, 'reason': reason,
            'seconds': round(time.time() - started, 1), 'calls': ' | '.join(shown) or '(none)', 'evaluationErrors': errors}


def main():
    if len(sys.argv) > 1 and sys.argv[1] == 'report':
        rp = argparse.ArgumentParser(prog='harness.py report')
        rp.add_argument('results', nargs='+')
        rp.add_argument('--scenarios', default=os.path.join(HERE, 'scenarios.json'))
        rp.add_argument('--divergences')
        a = rp.parse_args(sys.argv[2:])
        sys.exit(report(a.results, a.scenarios, a.divergences))
    ap = argparse.ArgumentParser()
    ap.add_argument('--engine', choices=['java', 'js'], required=True)
    ap.add_argument('--definitions', required=True)
    ap.add_argument('--scenarios', default=os.path.join(HERE, 'scenarios.json'))
    ap.add_argument('--jars')
    ap.add_argument('--only', default=os.environ.get('INTERP_ONLY', ''))
    ap.add_argument('--json')
    ap.add_argument('--differential', help='with --engine java: evaluate every expression with jsonata-js too and '
                                           'write where they differ to this file')
    args = ap.parse_args()
    if args.engine == 'java' and not args.jars:
        ap.error('--jars is needed with --engine java')

    import logging
    logging.disable(logging.CRITICAL)
    jsonata_mod = patch_localstack(args.engine, args.jars)
    # Start the engine (the JVM, or node) before the first execution, so its start-up is not counted against a
    # state's TimeoutSeconds.
    jsonata_mod.eval_jsonata_expression('$string(1)')
    if args.differential and args.engine == 'java':
        differential(jsonata_mod, NodeJsonata())
    scenarios = json.load(open(args.scenarios))['scenarios']
    only = [s for s in args.only.split(',') if s]
    results = []
    for scn in scenarios:
        if only and scn['name'] not in only:
            continue
        results.append(run_scenario(scn, args))
        r = results[-1]
        print(f"{'PASS' if r['passed'] else 'FAIL'} {args.engine} {scn['name']} ({r['seconds']}s)"
              + (f": {r['reason']}" if r['reason'] else ''), file=sys.stderr, flush=True)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=2)
    if args.differential:
        with open(args.differential, 'w') as f:
            json.dump(DIVERGENCES, f, indent=2)
    os._exit(0 if all(r['passed'] for r in results) else 1)  # the JVM and daemon threads end with the process


if __name__ == '__main__':
    main()
