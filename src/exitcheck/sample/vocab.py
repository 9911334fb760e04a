"""Vocabularies for synthetic registry exports: names, places and the value sets exports use."""

from __future__ import annotations

# Common surnames, most frequent first (weights roughly follow national frequency; docs/policy.md §5
# does not need exact shares, only realistic-looking names).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
MALE_GIVEN = "伟强军平刚明勇华建国志兵海林波春德成富贵福顺学文武杰军涛斌辉鹏超东"
FEMALE_GIVEN = "芳秀英华玉兰桂珍凤梅琼丽霞燕红娟敏静艳萍素云琴淑莲翠群菊容蓉"
COMMON_GIVEN = "永云小金光家中天开德正世长国明兴宗"

# Township name stems (a few real ones from 广安区 and neighbours, others generic).
TOWNSHIP_STEMS = (
    "协兴", "浓溪", "悦来", "花桥", "龙台", "恒升", "石笋", "大安", "兴平", "井河",
    "官盛", "东岳", "大龙", "崇望", "穿石", "彭家", "郑山", "肖溪", "白市", "观阁",
    "城南", "代市", "观塘", "护安", "前锋", "桂兴", "虎城", "大石", "枣山", "广门",
    "天池", "牟家", "罗渡", "排山", "中和", "清平", "乐善", "龙门", "双河", "新场",
)
VILLAGE_STEMS = (
    "青龙", "白果", "团结", "新华", "石桥", "回龙", "金星", "红岩", "大河", "高峰",
    "凉水", "黄桷", "柏林", "双龙", "长滩", "花园", "松林", "马鞍", "永兴", "太平",
    "桂花", "龙泉", "梨树", "檬子", "三合", "五星", "光明", "和平", "石板", "水井",
    "杨柳", "竹林", "中心", "新民", "向阳", "红旗", "观音", "天堂", "荷花", "长岭",
    "茶园", "庙坝", "凤凰", "兴隆", "黄泥", "万福", "鹿角", "清水", "金龙", "枫香",
    "大坪", "牛角", "岩口", "沙坝", "田坝", "桐梓", "麻柳", "坪上", "中坝", "大湾",
)

# County code -> (province, prefecture, county); unknown codes get a generic name.
COUNTIES: dict[str, tuple[str, str, str]] = {
    "511602": ("四川省", "广安市", "广安区"),
    "511623": ("四川省", "广安市", "邻水县"),
    "510132": ("四川省", "成都市", "新津区"),
    "522327": ("贵州省", "黔西南布依族苗族自治州", "册亨县"),
    "520402": ("贵州省", "安顺市", "西秀区"),
    "500242": ("重庆市", "重庆市", "酉阳土家族苗族自治县"),
}
PROVINCES: dict[str, str] = {
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "34": "安徽省", "61": "陕西省",
}
# Ethnic groups by province: (names, weights); default Han only.
ETHNICITIES: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "52": (("汉族", "布依族", "苗族", "彝族"), (0.40, 0.35, 0.20, 0.05)),
    "51": (("汉族", "彝族", "藏族"), (0.97, 0.02, 0.01)),
}

# Value sets (docs/policy.md §5).
RELATIONS = (
    "户主", "配偶", "之子", "之女", "之儿媳", "之女婿", "之孙子", "之孙女", "之父母", "其他",
)
PRIMARY_GRADES = (
    "小学一年级", "小学二年级", "小学三年级", "小学四年级", "小学五年级", "小学六年级",
)
JUNIOR_GRADES = ("七年级", "八年级", "九年级")
EDUCATION_LEVELS = ("学龄前儿童", "文盲或半文盲", "小学", "初中", "高中", "大专及以上")
HEALTH = ("健康", "长期慢性病", "患大病", "残疾")
LABOUR = ("普通劳动力", "技能劳动力", "弱劳动力或半劳动力", "丧失劳动力", "无劳动力")
ATTRIBUTES = ("一般贫困户", "低保贫困户", "特困供养贫困户")
RISKS = ("因病", "因残", "因学", "缺劳动力", "因务工就业不稳", "因安全住房", "因安全饮水", "其他")
RISK_WEIGHTS = (0.30, 0.15, 0.10, 0.15, 0.15, 0.05, 0.02, 0.08)
MONITORING_CATEGORIES = ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")

# The county generated when only a province is given (the running examples of docs/policy.md).
DEFAULT_COUNTY: dict[str, str] = {"51": "511602", "52": "522327", "50": "500242"}
