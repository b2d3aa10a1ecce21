"""What each demo brand sells: its own product lines (no third-party brands), in the brand's language, with pack
sizes whose prices rise with the size.

Acme (zh-Hans) is a drinks group: 艾可山泉 water, 一叶茶 tea, 鲜果时光 juice, 艾可汽水 soft drinks, 劲能 energy
drinks... Globex (en) makes porcelain tiles: the Lumen, Carrara, Grove, Metro, Terra... collections.

Each category holds two lines of ten products; each product comes in the category's five pack sizes, the smallest
first. A unit's price is `(fixed + per_size * size) * product factor`, so a larger bottle (or a larger tile)
always costs more, and a case (box) costs its count of units less a small pack discount (see `pricing.py`).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Variant:
    label: str  # 550ml, 600x600 mm
    per_case: int  # units in one case (box)
    size: Decimal  # litres or square metres: what the price grows with
    unit: str = ""  # the base unit's code when it is not the line's (a 1.25L bottle of a canned soda)


@dataclass(frozen=True)
class Line:
    """A product line (a catalog series): its mark on the label, its packaging and its products
    as (name, English name, colour of the contents or of the tile's face)."""

    code: str
    name: str
    name_en: str
    shape: str  # bottle, can, carton or tile (images.SHAPES)
    products: tuple[tuple[str, str, str], ...]
    pattern: str = ""  # tiles: polished, marble, wood, wall, rustic


@dataclass(frozen=True)
class Group:
    """A category with its pack sizes, its price curve and its lines."""

    code: str
    name: str
    name_en: str
    variants: tuple[Variant, ...]
    fixed: Decimal  # price of a unit = (fixed + per_size * size) * the product's factor
    per_size: Decimal
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class BrandCatalog:
    root: tuple[str, str]  # the root category's name and English name
    units: dict[str, str]  # unit code -> name, for the base units of the lines' shapes
    shape_units: dict[str, str]  # shape -> base unit code
    case: tuple[str, str]  # the pack unit: code, name
    size_key: str  # the SKU attribute that holds the variant ("规格", "Size")
    origin_key: str
    origins: tuple[str, ...]
    warehouses: tuple[tuple[str, str], ...]
    groups: tuple[Group, ...]
    barcode_base: int


def _v(label: str, per_case: int, size: str, unit: str = "") -> Variant:
    return Variant(label, per_case, Decimal(size), unit)


WATER = (_v("350ml", 24, "0.35"), _v("550ml", 24, "0.55"), _v("1L", 12, "1"), _v("1.5L", 12, "1.5"),
         _v("5L", 4, "5"))
TEA = (_v("250ml", 24, "0.25"), _v("330ml", 24, "0.33"), _v("500ml", 15, "0.5"), _v("900ml", 12, "0.9"),
       _v("1.5L", 6, "1.5"))
JUICE = (_v("250ml", 24, "0.25"), _v("330ml", 24, "0.33"), _v("450ml", 15, "0.45"), _v("1L", 12, "1"),
         _v("2L", 6, "2"))
SODA = (_v("200ml", 24, "0.2"), _v("250ml", 24, "0.25"), _v("330ml", 24, "0.33"), _v("500ml", 24, "0.5"),
        _v("1.25L", 12, "1.25", unit="btl"))
ENERGY = (_v("250ml", 24, "0.25"), _v("310ml", 24, "0.31"), _v("500ml", 15, "0.5", unit="btl"),
          _v("600ml", 15, "0.6", unit="btl"), _v("1L", 12, "1", unit="btl"))

ACME = BrandCatalog(
    root=("全部商品", "All products"),
    units={"btl": "瓶", "can": "罐", "ctn": "盒"},
    shape_units={"bottle": "btl", "can": "can", "carton": "ctn"},
    case=("case", "箱"),
    size_key="规格",
    origin_key="产地",
    origins=("浙江千岛湖工厂", "吉林长白山工厂", "广东河源工厂", "湖北丹江口工厂"),
    warehouses=(("SH-WH", "上海中心仓"), ("GZ-WH", "广州中心仓")),
    barcode_base=0,
    groups=(
        Group("WATER", "饮用水", "Water", WATER, Decimal("0.60"), Decimal("1.60"), (
            Line("SPRING", "艾可山泉", "Acme Spring", "bottle", (
                ("天然矿泉水", "Natural Mineral Water", "#A9D8F2"), ("饮用天然水", "Natural Drinking Water", "#B8E0F5"),
                ("低钠矿泉水", "Low-Sodium Mineral Water", "#9CCFEE"), ("偏硅酸矿泉水", "Metasilicate Mineral Water",
                                                                   "#A3D5E9"),
                ("深层矿泉水", "Deep-Source Mineral Water", "#8EC5E8"),
                ("天然弱碱水", "Natural Alkaline Water", "#B2DDEB"),
                ("高山泉水", "Alpine Spring Water", "#A6D9F7"), ("冰川水", "Glacier Water", "#C3E6F7"),
                ("婴儿饮用水", "Baby Drinking Water", "#C9E8F5"),
                ("运动盖天然水", "Sports-Cap Natural Water", "#9AD0F0"),
            )),
            Line("FIZZ", "艾可清泡", "Acme Fizz", "bottle", (
                ("原味苏打水", "Original Soda Water", "#D6EEF2"), ("柠檬苏打水", "Lemon Soda Water", "#F4EB9C"),
                ("青柠苏打水", "Lime Soda Water", "#C8E6A0"), ("白桃苏打水", "White Peach Soda Water", "#F8D3CB"),
                ("海盐苏打水", "Sea Salt Soda Water", "#CFE3EE"), ("西柚苏打水", "Grapefruit Soda Water", "#F6B7A6"),
                ("荔枝苏打水", "Lychee Soda Water", "#F3DCE2"), ("青提苏打水", "Green Grape Soda Water", "#D5EBB0"),
                ("薄荷苏打水", "Mint Soda Water", "#BFE8D6"), ("姜汁苏打水", "Ginger Soda Water", "#EEDDB0"),
            )),
        )),
        Group("TEA", "茶饮", "Tea drinks", TEA, Decimal("1.00"), Decimal("5.00"), (
            Line("LEAF", "一叶茶", "Acme Leaf Tea", "bottle", (
                ("茉莉花茶", "Jasmine Tea", "#D9C77A"), ("乌龙茶", "Oolong Tea", "#B5651D"),
                ("无糖绿茶", "Unsweetened Green Tea", "#B9C96B"), ("大红袍", "Da Hong Pao Tea", "#8E4A1C"),
                ("铁观音", "Tieguanyin Tea", "#C29A4A"), ("普洱茶", "Pu'er Tea", "#6E3B1E"),
                ("白茶", "White Tea", "#E3D59B"), ("龙井绿茶", "Longjing Green Tea", "#A9BE5E"),
                ("桂花乌龙", "Osmanthus Oolong", "#D29B3C"), ("玄米茶", "Genmaicha", "#C9B27A"),
            )),
            Line("MILKTEA", "艾可奶茶", "Acme Milk Tea", "carton", (
                ("原味奶茶", "Classic Milk Tea", "#D8B48A"), ("阿萨姆奶茶", "Assam Milk Tea", "#C89466"),
                ("港式奶茶", "Hong Kong Milk Tea", "#B98357"), ("乌龙奶茶", "Oolong Milk Tea", "#C49A6C"),
                ("黑糖奶茶", "Brown Sugar Milk Tea", "#9C6A44"), ("抹茶奶茶", "Matcha Milk Tea", "#A8C27A"),
                ("焦糖奶茶", "Caramel Milk Tea", "#C6884A"), ("椰香奶茶", "Coconut Milk Tea", "#E6D8C2"),
                ("芋泥奶茶", "Taro Milk Tea", "#B9A2CC"), ("茉莉奶绿", "Jasmine Milk Green Tea", "#CFD9A4"),
            )),
        )),
        Group("JUICE", "果汁", "Juice", JUICE, Decimal("1.20"), Decimal("7.00"), (
            Line("ORCHARD", "鲜果时光", "Acme Orchard", "carton", (
                ("100%橙汁", "100% Orange Juice", "#F28C28"), ("100%苹果汁", "100% Apple Juice", "#E8C547"),
                ("100%葡萄汁", "100% Grape Juice", "#6B2E5F"), ("100%芒果汁", "100% Mango Juice", "#F5B027"),
                ("100%番茄汁", "100% Tomato Juice", "#D9412B"), ("100%西柚汁", "100% Grapefruit Juice", "#F08A74"),
                ("100%菠萝汁", "100% Pineapple Juice", "#F2D04B"), ("100%桃汁", "100% Peach Juice", "#F4A77A"),
                ("100%石榴汁", "100% Pomegranate Juice", "#B3243A"), ("100%果蔬汁", "100% Fruit & Vegetable Juice",
                                                                   "#E0702B"),
            )),
            Line("FRUITY", "果语", "Acme Fruity", "bottle", (
                ("橙味果汁饮料", "Orange Juice Drink", "#F7A23B"), ("芒果果肉饮料", "Mango Pulp Drink", "#F6B93B"),
                ("蜜桃果汁饮料", "Peach Juice Drink", "#F7B7A0"), ("葡萄果粒饮料", "Grape Bits Drink", "#8A4C8F"),
                ("椰子汁", "Coconut Milk Drink", "#F1EEE6"), ("山楂汁", "Hawthorn Drink", "#C8453A"),
                ("酸梅汤", "Sour Plum Drink", "#7A2E26"), ("杨梅汁", "Bayberry Drink", "#A02649"),
                ("苹果醋饮料", "Apple Cider Vinegar Drink", "#E4B95B"),
                ("荔枝果汁饮料", "Lychee Juice Drink", "#F5E1E6"),
            )),
        )),
        Group("SODA", "汽水", "Soft drinks", SODA, Decimal("0.80"), Decimal("4.00"), (
            Line("POP", "艾可汽水", "Acme Pop", "can", (
                ("可乐味汽水", "Cola", "#5A2A1A"), ("零糖可乐味汽水", "Zero Sugar Cola", "#2E2A28"),
                ("柠檬味汽水", "Lemon Soda", "#F2E14C"), ("橙味汽水", "Orange Soda", "#F7941D"),
                ("葡萄味汽水", "Grape Soda", "#7B3F99"), ("白桃味汽水", "White Peach Soda", "#F6C1B5"),
                ("荔枝味汽水", "Lychee Soda", "#F2CAD5"), ("菠萝味汽水", "Pineapple Soda", "#F4D03F"),
                ("青苹果味汽水", "Green Apple Soda", "#9BCB50"), ("姜汁汽水", "Ginger Ale", "#D9B26F"),
            )),
            Line("ZERO", "零度", "Acme Zero", "can", (
                ("白桃气泡水", "White Peach Sparkling Water", "#F9D5CC"), ("青瓜气泡水", "Cucumber Sparkling Water",
                                                                     "#B8DDA6"),
                ("卡曼橘气泡水", "Calamansi Sparkling Water", "#F4C542"), ("葡萄柚气泡水", "Grapefruit Sparkling Water",
                                                                       "#F4A090"),
                ("乳酸菌气泡水", "Lactic Sparkling Water", "#EEF0F5"), ("青梅气泡水", "Green Plum Sparkling Water",
                                                                     "#C6DC8C"),
                ("柚子气泡水", "Yuzu Sparkling Water", "#F5DE6B"),
                ("酸梅气泡水", "Sour Plum Sparkling Water", "#B0524A"),
                ("百香果气泡水", "Passion Fruit Sparkling Water", "#F3B43C"), ("椰子气泡水", "Coconut Sparkling Water",
                                                                         "#ECE6D6"),
            )),
        )),
        Group("ENERGY", "功能饮料", "Energy & sports drinks", ENERGY, Decimal("1.50"), Decimal("12.00"), (
            Line("POWER", "劲能", "Acme Power", "can", (
                ("牛磺酸能量饮料", "Taurine Energy Drink", "#F4B400"),
                ("无糖能量饮料", "Sugar-Free Energy Drink", "#C9CED6"),
                ("维生素能量饮料", "Vitamin Energy Drink", "#F39C12"), ("强化型能量饮料", "Extra Strength Energy Drink",
                                                                    "#D35400"),
                ("人参能量饮料", "Ginseng Energy Drink", "#C0392B"), ("玛咖能量饮料", "Maca Energy Drink", "#8E44AD"),
                ("西柚味能量饮料", "Grapefruit Energy Drink", "#F1948A"),
                ("青柠味能量饮料", "Lime Energy Drink", "#7DBB45"),
                ("芒果味能量饮料", "Mango Energy Drink", "#F5B041"),
                ("浆果味能量饮料", "Berry Energy Drink", "#A93266"),
            )),
            Line("SPORT", "动力", "Acme Sport", "bottle", (
                ("柠檬味电解质水", "Lemon Electrolyte Water", "#F3EC9A"),
                ("西柚味电解质水", "Grapefruit Electrolyte Water", "#F7C1B4"),
                ("荔枝味电解质水", "Lychee Electrolyte Water", "#F7E1E8"),
                ("青提味电解质水", "Green Grape Electrolyte Water", "#D8EDB5"),
                ("蓝莓味运动饮料", "Blueberry Sports Drink", "#5B7FD6"),
                ("橙味运动饮料", "Orange Sports Drink", "#F9A03F"),
                ("柑橘维生素水", "Citrus Vitamin Water", "#F7C948"), ("莓果维生素水", "Berry Vitamin Water", "#D1568D"),
                ("椰子水", "Coconut Water", "#EFEBE0"), ("海盐柠檬水", "Salted Lemon Water", "#EAF2B5"),
            )),
        )),
    ),
)

LARGE = (_v("600x600 mm", 4, "0.36"), _v("800x800 mm", 3, "0.64"), _v("600x1200 mm", 2, "0.72"),
         _v("750x1500 mm", 2, "1.125"), _v("900x1800 mm", 1, "1.62"))
FLOOR = (_v("300x300 mm", 11, "0.09"), _v("300x600 mm", 8, "0.18"), _v("600x600 mm", 4, "0.36"),
         _v("800x800 mm", 3, "0.64"), _v("600x1200 mm", 2, "0.72"))
PLANK = (_v("150x600 mm", 16, "0.09"), _v("150x900 mm", 11, "0.135"), _v("200x1000 mm", 7, "0.2"),
         _v("200x1200 mm", 6, "0.24"), _v("230x1500 mm", 4, "0.345"))
WALL = (_v("75x300 mm", 44, "0.0225"), _v("100x300 mm", 34, "0.03"), _v("300x600 mm", 8, "0.18"),
        _v("300x900 mm", 5, "0.27"), _v("400x800 mm", 5, "0.32"))

GLOBEX = BrandCatalog(
    root=("All products", "All products"),
    units={"tile": "tile"},
    shape_units={"tile": "tile"},
    case=("box", "box"),
    size_key="Size",
    origin_key="Made in",
    origins=("Foshan plant", "Zibo plant", "Jinjiang plant"),
    warehouses=(("EAST-DC", "Shanghai Distribution Centre"), ("SOUTH-DC", "Guangzhou Distribution Centre")),
    barcode_base=50000,
    groups=(
        Group("POLISHED", "Polished porcelain", "Polished porcelain", LARGE, Decimal("3.00"), Decimal("95.00"), (
            Line("LUMEN", "Lumen", "Lumen", "tile", (
                ("Super White", "Super White", "#F7F7F5"), ("Ivory", "Ivory", "#EFE8D8"),
                ("Pearl Grey", "Pearl Grey", "#D4D5D6"), ("Sand", "Sand", "#DCCBAA"),
                ("Graphite", "Graphite", "#4A4D52"), ("Crystal Beige", "Crystal Beige", "#E2D3BB"),
                ("Snow", "Snow", "#FBFBFB"), ("Cloud", "Cloud", "#E4E7EA"),
                ("Onyx Black", "Onyx Black", "#26282B"), ("Champagne", "Champagne", "#E8D7B5"),
            ), "polished"),
            Line("PRISM", "Prism", "Prism", "tile", (
                ("Salt and Pepper", "Salt and Pepper", "#CFCFCB"), ("Terrazzo Grey", "Terrazzo Grey", "#B9BAB6"),
                ("Terrazzo Pink", "Terrazzo Pink", "#E7CFC8"), ("Granite Black", "Granite Black", "#3A3B3D"),
                ("Quartz White", "Quartz White", "#EEEDEA"), ("Basalt", "Basalt", "#5E6064"),
                ("Sandstone", "Sandstone", "#D2B99A"), ("Silver Fleck", "Silver Fleck", "#C9CCD0"),
                ("Mocha", "Mocha", "#8A6E58"), ("Storm", "Storm", "#7D8287"),
            ), "rustic"),
        )),
        Group("MARBLE", "Marble-look porcelain", "Marble-look porcelain", LARGE, Decimal("5.00"), Decimal("150.00"), (
            Line("CARRARA", "Carrara", "Carrara", "tile", (
                ("Carrara White", "Carrara White", "#EEEDEB"), ("Calacatta Gold", "Calacatta Gold", "#F3EFE6"),
                ("Statuario", "Statuario", "#F4F4F2"), ("Arabescato", "Arabescato", "#ECEBE8"),
                ("Bardiglio", "Bardiglio", "#A7ABB0"), ("Volakas", "Volakas", "#F1F0EC"),
                ("Pandora", "Pandora", "#E9E7E3"), ("Crema Marfil", "Crema Marfil", "#E7D8BD"),
                ("Emperador Brown", "Emperador Brown", "#6B4A35"), ("Nero Marquina", "Nero Marquina", "#222326"),
            ), "marble"),
            Line("ONYX", "Onyx", "Onyx", "tile", (
                ("Honey", "Honey", "#E6B96E"), ("White", "White", "#F2EFE7"),
                ("Green", "Green", "#8FB39A"), ("Blue", "Blue", "#8FB2CC"),
                ("Pink", "Pink", "#E9C3BE"), ("Grey", "Grey", "#B6B6B3"),
                ("Amber", "Amber", "#C98B45"), ("Smoke", "Smoke", "#77746F"),
                ("Ivory", "Ivory", "#EFE6D2"), ("Jade", "Jade", "#6E9C84"),
            ), "marble"),
        )),
        Group("WOOD", "Wood-look planks", "Wood-look planks", PLANK, Decimal("2.00"), Decimal("110.00"), (
            Line("GROVE", "Grove", "Grove", "tile", (
                ("Natural Oak", "Natural Oak", "#C49A6C"), ("Smoked Oak", "Smoked Oak", "#8B6A4F"),
                ("Walnut", "Walnut", "#6B4A33"), ("Teak", "Teak", "#A0713F"),
                ("White Ash", "White Ash", "#DDCDB4"), ("Maple", "Maple", "#D8B58A"),
                ("Cherry", "Cherry", "#9C5B3C"), ("Chestnut", "Chestnut", "#7E5436"),
                ("Driftwood", "Driftwood", "#B1A38F"), ("Elm", "Elm", "#A88563"),
            ), "wood"),
            Line("TIMBER", "Timber Lane", "Timber Lane", "tile", (
                ("Honey Pine", "Honey Pine", "#D9AE6C"), ("Rustic Barn", "Rustic Barn", "#8D6B52"),
                ("Nordic Birch", "Nordic Birch", "#E4D2B4"), ("Espresso", "Espresso", "#4B3426"),
                ("Weathered Grey", "Weathered Grey", "#9C9890"), ("Cedar", "Cedar", "#B26E45"),
                ("Beech", "Beech", "#D3AD80"), ("Larch", "Larch", "#C39063"),
                ("Acacia", "Acacia", "#93613A"), ("Sun-Bleached Oak", "Sun-Bleached Oak", "#E0CBA8"),
            ), "wood"),
        )),
        Group("WALL", "Wall tiles", "Wall tiles", WALL, Decimal("1.00"), Decimal("85.00"), (
            Line("METRO", "Metro", "Metro", "tile", (
                ("Gloss White", "Gloss White", "#F6F7F7"), ("Matt White", "Matt White", "#EDEDEA"),
                ("Sky Blue", "Sky Blue", "#BFD8E8"), ("Sage", "Sage", "#C5D3C0"),
                ("Gloss Black", "Gloss Black", "#242527"), ("Dove Grey", "Dove Grey", "#C9C9C6"),
                ("Blush", "Blush", "#EBCFC8"), ("Navy", "Navy", "#2D3F5E"),
                ("Mint", "Mint", "#CDE8DC"), ("Cream", "Cream", "#F1E8D2"),
            ), "wall"),
            Line("GLAZE", "Glaze", "Glaze", "tile", (
                ("Ocean", "Ocean", "#3C7A93"), ("Forest", "Forest", "#3E6B4F"),
                ("Terracotta", "Terracotta", "#C56B4A"), ("Mustard", "Mustard", "#D9A93F"),
                ("Lavender", "Lavender", "#B9AED4"), ("Teal", "Teal", "#2F8A8A"),
                ("Coral", "Coral", "#E98A7A"), ("Ink", "Ink", "#2B2F3A"),
                ("Pistachio", "Pistachio", "#B8CC92"), ("Clay", "Clay", "#B08B6E"),
            ), "wall"),
        )),
        Group("RUSTIC", "Rustic and matt", "Rustic and matt", FLOOR, Decimal("2.00"), Decimal("80.00"), (
            Line("TERRA", "Terra", "Terra", "tile", (
                ("Cotto", "Cotto", "#B9714F"), ("Sienna", "Sienna", "#A65E3E"),
                ("Umber", "Umber", "#7C5A44"), ("Ochre", "Ochre", "#C79A55"),
                ("Sage Stone", "Sage Stone", "#9DA88E"), ("Slate", "Slate", "#5C6166"),
                ("Limestone", "Limestone", "#D8CFBE"), ("Travertine", "Travertine", "#D5C3A3"),
                ("Basalt Matt", "Basalt Matt", "#4E5155"), ("Desert", "Desert", "#CFAE85"),
            ), "rustic"),
            Line("URBAN", "Urban", "Urban", "tile", (
                ("Cement Grey", "Cement Grey", "#A3A4A2"), ("Ash", "Ash", "#C2C2BE"),
                ("Charcoal", "Charcoal", "#45474A"), ("Smoke", "Smoke", "#8C8E8F"),
                ("Bone", "Bone", "#E2DCCF"), ("Steel", "Steel", "#6F7479"),
                ("Concrete Beige", "Concrete Beige", "#BFB4A1"), ("Graphite Matt", "Graphite Matt", "#3D3F43"),
                ("Pebble", "Pebble", "#B3ACA0"), ("Fog", "Fog", "#D3D5D6"),
            ), "rustic"),
        )),
    ),
)

CATALOGS = {"acme": ACME, "globex": GLOBEX}
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Item:
    """One product of a brand's catalog, where it sits and what it is called."""

    group: Group
    line: Line
    code: str
    name: str
    name_en: str
    short: str  # the name on the label
    colour: str


def items(catalog: BrandCatalog) -> Iterator[Item]:
    for group in catalog.groups:
        for line in group.lines:
            for index, (short, short_en, colour) in enumerate(line.products):
                name = short if short.startswith(line.name) else f"{line.name} {short}"
                name_en = short_en if short_en.startswith(line.name_en) else f"{line.name_en} {short_en}"
                yield Item(group, line, f"{line.code}-{index + 1:02d}", name, name_en, short, colour)


def sku_code(product_code: str, variant_index: int) -> str:
    return f"{product_code}-{variant_index + 1}"


def unit_prices(catalog: BrandCatalog) -> dict[str, Decimal]:
    """The base price of one base unit (bottle, can, tile) of each SKU by code: the group's curve times a
    factor of the product between 0.90 and 1.30, the same on every run; strictly rising with the pack size."""
    prices = {}
    for item in items(catalog):
        factor = Decimal(90 + zlib.crc32(item.code.encode()) % 41) / 100
        for index, variant in enumerate(item.group.variants):
            price = (item.group.fixed + item.group.per_size * variant.size) * factor
            prices[sku_code(item.code, index)] = price.quantize(CENT, rounding=ROUND_HALF_UP)
    return prices
