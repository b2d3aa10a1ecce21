"""The built-in column mappings of bank statement exports (docs/dev/bank-statements.md lists them).

Each field names the header texts a bank uses for it, tried in order; headers are compared after NFKC (full-width
brackets and letters become half-width), without spaces and case-insensitively, so "贷方发生额（收入）" and
"贷方发生额(收入)" are the same header. A mapping has either a `credit` column (money in; with `debit` for
money out) or one signed `amount` column, optionally with a `direction` column whose `credit_marks` mean money in.
Banks change their exports: every mapping is a row the brand's finance people may edit in the console."""

from __future__ import annotations

MAPPING_FIELDS = ("date", "credit", "debit", "amount", "direction", "payer_name", "payer_account", "remark",
                  "serial", "currency")

DATE_FORMATS = "%Y-%m-%d|%Y/%m/%d|%Y%m%d|%Y-%m-%d %H:%M:%S|%Y/%m/%d %H:%M:%S|%Y%m%d %H:%M:%S|%Y年%m月%d日|%Y.%m.%d"

DEFAULT_MAPPINGS: list[dict] = [
    {
        "code": "icbc", "name": "工商银行 ICBC",
        "columns": {
            "date": ["交易时间", "交易日期"],
            "debit": ["借方发生额"],
            "credit": ["贷方发生额"],
            "payer_name": ["对方单位名称", "对方户名"],
            "payer_account": ["对方账号"],
            "remark": ["摘要", "用途", "个性化信息"],
            "serial": ["交易流水号", "凭证号"],
        },
    },
    {
        "code": "ccb", "name": "建设银行 CCB",
        "columns": {
            "date": ["交易时间", "记账日期"],
            "debit": ["借方发生额(支取)", "借方发生额"],
            "credit": ["贷方发生额(收入)", "贷方发生额"],
            "payer_name": ["对方户名"],
            "payer_account": ["对方账号"],
            "remark": ["摘要", "备注"],
            "serial": ["账户明细编号-交易流水号", "交易流水号"],
            "currency": ["币种"],
        },
    },
    {
        "code": "abc", "name": "农业银行 ABC",
        "columns": {
            "date": ["交易日期", "交易时间"],
            "credit": ["收入金额"],
            "debit": ["支出金额"],
            "payer_name": ["对方户名"],
            "payer_account": ["对方账号"],
            "remark": ["交易用途", "摘要", "附言"],
            "serial": ["交易流水号", "流水号"],
        },
    },
    {
        "code": "boc", "name": "中国银行 BOC",
        "columns": {
            "date": ["交易日期[ Transaction Date ]", "交易日期"],
            "amount": ["交易金额[ Trade Amount ]", "交易金额"],
            "payer_name": ["付款人名称[ Payer's Name ]", "付款人名称"],
            "payer_account": ["付款人账号[ Debit Account No. ]", "付款人账号"],
            "remark": ["用途[ Purpose ]", "附言[ Remark ]", "用途", "附言", "摘要"],
            "serial": ["交易流水号[ Transaction reference number ]", "交易流水号"],
            "currency": ["交易货币[ Trade Currency ]", "币种"],
        },
    },
    {
        "code": "cmb", "name": "招商银行 CMB",
        "columns": {
            "date": ["交易日", "交易日期"],
            "debit": ["借方金额"],
            "credit": ["贷方金额"],
            "payer_name": ["收(付)方名称", "对方户名"],
            "payer_account": ["收(付)方帐号", "收(付)方账号", "对方账号"],
            "remark": ["摘要", "用途", "附言"],
            "serial": ["流水号", "交易流水号"],
            "currency": ["币种"],
        },
    },
    {
        "code": "bocom", "name": "交通银行 BOCOM",
        "columns": {
            "date": ["交易日期", "交易时间"],
            "direction": ["借贷标志"],
            "amount": ["发生额", "交易金额"],
            "payer_name": ["对方户名"],
            "payer_account": ["对方账号"],
            "remark": ["摘要", "附言", "用途"],
            "serial": ["会计流水号", "企业流水号", "交易流水号"],
        },
        "credit_marks": "贷|C|CR",
    },
    {
        "code": "generic", "name": "通用 Generic",
        "columns": {
            "date": ["交易日期", "记账日期", "交易时间", "日期", "date"],
            "credit": ["贷方发生额", "收入金额", "贷方金额", "收入", "credit"],
            "debit": ["借方发生额", "支出金额", "借方金额", "支出", "debit"],
            "payer_name": ["对方户名", "付款人名称", "对方单位名称", "对方名称", "payer"],
            "payer_account": ["对方账号", "付款人账号", "对方帐号", "account"],
            "remark": ["摘要", "附言", "用途", "备注", "remark"],
            "serial": ["交易流水号", "流水号", "serial"],
            "currency": ["币种", "currency"],
        },
    },
]
