"""Small statement exports in the shape of each bank's own (title rows, the bank's headers, a debit, a total row),
for tests/finance/test_bank_*.py. Every sample holds the same kind of thing: one or two incoming lines
(`expected`) and at least one outgoing line."""

from __future__ import annotations

import io
from decimal import Decimal

ICBC_CSV = """中国工商银行 对公账户明细
账号：1001234509000012345,户名：测试品牌有限公司,查询区间：2026-12-01 至 2026-12-02
凭证号,本方账号,对方账号,交易时间,借/贷,借方发生额,贷方发生额,对方行号,摘要,用途,对方单位名称,余额,交易流水号
,1001234509000012345,6222000011112222,2026-12-01 10:15:30,贷,,"1,234.50",102290000011,转账,货款 DFIN-1,fin 一号经销商有限公司,"11,234.50",ICBC0001
,1001234509000012345,6222000099998888,2026-12-01 11:00:00,借,500.00,,,付运费,,某物流有限公司,"10,734.50",ICBC0002
合计,,,,,500.00,"1,234.50",,,,,,
"""  # noqa: E501

ABC_CSV_GBK = """中国农业银行账户明细
交易日期,交易时间,收入金额,支出金额,账户余额,对方账号,对方户名,对方开户行,交易用途,摘要,交易流水号
20261201,101500,"￥2,000.00",,"12,000.00",6228480011112222,二号经销商,农行上海分行,货款,转账,ABC0001
20261201,111500,,￥300.00,"11,700.00",6228480099990000,某供应商,农行,退款,转账,ABC0002
""".encode("gbk")

BOC_CSV = """交易日期[ Transaction Date ],交易金额[ Trade Amount ],付款人名称[ Payer's Name ],付款人账号[ Debit Account No. ],用途[ Purpose ],附言[ Remark ],交易流水号[ Transaction reference number ],交易货币[ Trade Currency ]
20261202,"+3,000.00",fin 一号经销商,6013820000111122,货款,,BOC0001,人民币
20261202,-100.00,测试品牌有限公司,4563510000000000,手续费,,BOC0002,人民币
"""  # noqa: E501

CMB_CSV = """招商银行交易明细
交易日,交易时间,业务名称,借方金额,贷方金额,余额,摘要,流水号,收（付）方名称,收（付）方帐号,用途
20261203,093000,汇入,,"１，５００．００","20,000.00",汇入汇款,CMB0001,二号经销商有限公司,6214830011112222,货款
20261203,100000,汇出,"2,500.00",,"17,500.00",汇出汇款,CMB0002,某房东,6214830000000000,房租
"""

BOCOM_CSV = """交通银行 账户交易明细
交易日期,交易时间,借贷标志,发生额,余额,对方账号,对方户名,摘要,会计流水号
2026-12-04,10:00:00,贷,880.00,"5,880.00",6222600011112222,fin 一号经销商,货款,BOCOM0001
2026-12-04,11:00:00,借,80.00,"5,800.00",6222600000000000,某快递,运费,BOCOM0002
"""

GENERIC_CSV = """记账日期,收入金额,支出金额,付款人名称,对方账号,附言,交易流水号
2026/12/05,"1,000.00",,fin 二号经销商,6222000022223333,货款 12 月,GEN0001
2026/12/05,"(1,234.50)",,某公司,6222000033334444,冲正,GEN0002
2026/12/05,,50.00,某公司,6222000033334444,手续费,GEN0003
"""


def ccb_xlsx() -> bytes:
    """CCB's export as an Excel workbook: title rows, numbers as numbers, the date-time as text."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["中国建设银行单位账户明细"])
    sheet.append(["账号", "31050161000000000001", "账户名称", "测试品牌有限公司"])
    sheet.append([])
    sheet.append(["交易时间", "借方发生额（支取）", "贷方发生额（收入）", "余额", "币种", "对方户名", "对方账号",
                  "对方开户机构", "记账日期", "摘要", "备注", "账户明细编号-交易流水号"])
    sheet.append(["20261201 09:30:00", None, 4321.5, 14321.5, "人民币", "fin 二号经销商有限公司",
                  "6217000011112222", "建行上海分行", "20261201", "货款", "DFIN-2 12月货款", "CCB0001"])
    sheet.append(["20261201 15:30:00", 321.5, None, 14000, "人民币", "某服务商", "6217000099990000",
                  "建行", "20261201", "服务费", "", "CCB0002"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# mapping code -> (filename, bytes, the incoming lines expected: (amount, payer name, serial))
SAMPLES = {
    "icbc": ("icbc.csv", ICBC_CSV.encode("utf-8-sig"), [(Decimal("1234.50"), "fin 一号经销商有限公司", "ICBC0001")]),
    "ccb": ("ccb.xlsx", None, [(Decimal("4321.50"), "fin 二号经销商有限公司", "CCB0001")]),
    "abc": ("abc.csv", ABC_CSV_GBK, [(Decimal("2000.00"), "二号经销商", "ABC0001")]),
    "boc": ("boc.csv", BOC_CSV.encode(), [(Decimal("3000.00"), "fin 一号经销商", "BOC0001")]),
    "cmb": ("cmb.csv", CMB_CSV.encode("gbk"), [(Decimal("1500.00"), "二号经销商有限公司", "CMB0001")]),
    "bocom": ("bocom.csv", BOCOM_CSV.encode(), [(Decimal("880.00"), "fin 一号经销商", "BOCOM0001")]),
    "generic": ("generic.csv", GENERIC_CSV.encode(), [(Decimal("1000.00"), "fin 二号经销商", "GEN0001")]),
}


def sample(code: str) -> tuple[str, bytes, list]:
    filename, data, expected = SAMPLES[code]
    return filename, (ccb_xlsx() if data is None else data), expected
