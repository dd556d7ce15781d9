#!/usr/bin/python3
"""Writes cases.yaml: synthetic valid and near-miss values per entity, computed by an implementation of each check
independent of the C++ validators (so the golden tests cross-check them). Run: /usr/bin/python3 generate.py > cases.yaml
The values are invented; any resemblance to a real person's number is chance."""
import random

rng = random.Random(20261122)

def luhn_check(body):
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9: d -= 9
        total += d
    return str((10 - total % 10) % 10)

def luhn_ok(s):
    return luhn_check(s[:-1]) == s[-1]

def rdigits(n):
    return ''.join(rng.choice('0123456789') for _ in range(n))

def card(prefix, length):
    body = prefix + rdigits(length - len(prefix) - 1)
    return body + luhn_check(body)

def iban(cc, bban):
    num = ''.join(str(int(c, 36)) for c in bban + cc + '00')
    return cc + '%02d' % (98 - int(num) % 97) + bban

def cn_id(region, date, seq):
    body = region + date + seq
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    c = (12 - sum(int(a) * b for a, b in zip(body, w)) % 11) % 11
    return body + ('X' if c == 10 else str(c))

def hk_id(prefix, digits):
    vals = ([36] if len(prefix) == 1 else []) + [ord(c) - 55 for c in prefix]
    s = vals[0] * 9 + vals[1] * 8 + sum(int(d) * w for d, w in zip(digits, range(7, 1, -1)))
    c = (11 - s % 11) % 11
    return '%s%s(%s)' % (prefix, digits, 'A' if c == 10 else c)

TW = dict(A=10, B=11, C=12, D=13, E=14, F=15, G=16, H=17, I=34, J=18, K=19, L=20, M=21, N=22, O=35, P=23, Q=24,
          R=25, S=26, T=27, U=28, V=29, W=32, X=30, Y=31, Z=33)

def tw_id(letter, body8):
    code = TW[letter]
    s = code // 10 + (code % 10) * 9 + sum(int(d) * w for d, w in zip(body8, range(8, 0, -1)))
    return letter + body8 + str((10 - s % 10) % 10)

def kr_rrn(date6, g, body5):
    body = date6 + g + body5
    w = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
    c = (11 - sum(int(a) * b for a, b in zip(body, w)) % 11) % 10
    return date6 + '-' + g + body5 + str(c)

def my_number(body11):
    s = 0
    for n in range(1, 12):
        p = int(body11[11 - n])
        q = n + 1 if n <= 6 else n - 5
        s += p * q
    r = s % 11
    return body11 + str(0 if r <= 1 else 11 - r)

def sg_nric(prefix, digits):
    s = sum(int(d) * w for d, w in zip(digits, [2, 7, 6, 5, 4, 3, 2])) + (4 if prefix in 'TG' else 0)
    table = 'JZIHGFEDCBA' if prefix in 'ST' else 'XWUTRQPNMLK'
    return prefix + digits + table[s % 11]

def th_id(body12):
    s = sum(int(d) * (13 - i) for i, d in enumerate(body12))
    return body12 + str((11 - s % 11) % 10)

def mod11_10(body):
    p = 10
    for d in body:
        s = (int(d) + p) % 10 or 10
        p = (s * 2) % 11
    return str((11 - p) % 10)

def de_id_card(body9):
    v = [int(c) if c.isdigit() else ord(c) - 55 for c in body9]
    return body9 + str(sum(a * [7, 3, 1][i % 3] for i, a in enumerate(v)) % 10)

def npi(body9):
    return body9 + luhn_check('80840' + body9)

def bump(s, index):
    """One digit changed (the near-miss)."""
    chars = list(s)
    positions = [i for i, c in enumerate(chars) if c.isdigit()]
    i = positions[index % len(positions)]
    chars[i] = str((int(chars[i]) + 1) % 10)
    return ''.join(chars)

cases = []
def add(entity, valid, invalid):
    cases.append((entity, valid, invalid))

cards = [card('4', 16), card('51', 16), card('2221', 16), card('34', 15), card('37', 15), card('62', 16),
         card('62', 19), card('3530', 16), card('6011', 16)]
add('CREDIT_CARD', ['credit card: ' + c for c in cards] + ['卡号 ' + ' '.join([cards[0][i:i+4] for i in range(0, 16, 4)])],
    ['credit card: ' + bump(c, 3) for c in cards] + ['credit card: 1234567812345678'])
ibans = [iban('DE', '370400440532013000'), iban('GB', 'NWBK60161331926819'), iban('FR', '20041010050500013M02606'),
         iban('NL', 'ABNA0417164300')]
add('IBAN', ['IBAN ' + x for x in ibans] + ['Konto: ' + ' '.join(ibans[0][i:i+4] for i in range(0, 22, 4))],
    ['IBAN ' + bump(x, 5) for x in ibans] + ['IBAN DE' + ibans[0][2:-1]])
add('EMAIL_ADDRESS', ['email: li.wei@corp-mail.cn', 'Kontakt: anna.schmidt+news@firma.de', '이메일: minji.kim@mail.co.kr'],
    ['email: li..wei@corp-mail.cn', 'path a@b', 'user@localhost'])
add('PHONE_NUMBER', ['手机: 13800138000', 'tel +86 138 0013 8000', 'phone +1 415 555 2671', 'Telefon: +49 30 901820',
                     '電話: 03-1234-5678', '전화 +82 2 312 3456', 'tel +65 6123 4567', 'phone +63 2 8123 4567'],
    ['tel +86 999 0013 8000', 'phone +1 012 555 2671'])
add('IP_ADDRESS', ['client ip 203.0.113.54', 'remote addr 10.20.30.40', 'ip 2001:db8::8a2e:370:7334'],
    ['ip 256.1.1.1', 'ip 10.0.0.999', 'addr 01.02.03.04'])
add('US_SSN', ['SSN: 536-22-1234', 'social security 078-12-3456'],
    ['SSN: 000-12-3456', 'SSN: 666-12-3456', 'SSN: 536-00-1234', 'SSN: 536-22-0000', 'SSN: 078-05-1120'])
add('US_ITIN', ['ITIN: 912-70-1234', 'ITIN 987-94-5678'], ['ITIN: 912-93-1234', 'ITIN: 912-40-1234'])
npis = [npi('123456789'), npi('198765432')]
add('US_NPI', ['NPI: ' + x for x in npis], ['NPI: ' + bump(x, 9) for x in npis])
cn = [cn_id('110105', '19491231', '002'), cn_id('440305', '19880215', '123'), cn_id('310104', '20000229', '457')]
add('CN_RESIDENT_ID', ['身份证号码：' + x for x in cn] + ['resident id ' + cn[1]],
    ['身份证号码：' + bump(x, 16) for x in cn] + ['身份证号码：' + cn_id('110105', '19490230', '002'),
                                                 '身份证号码：' + cn_id('990105', '19491231', '002')])
add('CN_PASSPORT', ['护照号码 E12345678', 'passport no. G87654321'], ['E12345678'])
hk = [hk_id('A', '123456'), hk_id('C', '668668'), hk_id('XA', '000000'), hk_id('G', '123450')]
add('HK_ID_CARD', ['HKID ' + x for x in hk], ['HKID ' + x[:-2] + str((int(x[-2]) + 1) % 10) + ')' if x[-2].isdigit()
                                            else 'HKID ' + x[:-2] + '0)' for x in hk])
tw = [tw_id('A', '12345678'), tw_id('F', '22135791'), tw_id('Z', '19876543')]
add('TW_NATIONAL_ID', ['身分證字號 ' + x for x in tw], ['身分證字號 ' + bump(x, 8) for x in tw])
kr = [kr_rrn('900101', '1', '23456'), kr_rrn('851224', '2', '13579'), kr_rrn('020304', '3', '11223')]
add('KR_RRN', ['주민등록번호: ' + x for x in kr], ['주민등록번호: ' + x.replace(x[2:4], '13', 1) for x in kr])
jp = [my_number('12345678901'), my_number('98765432109'), my_number('20240515001')]
add('JP_MY_NUMBER', ['マイナンバー: ' + x for x in jp] + ['個人番号 %s %s %s' % (jp[0][:4], jp[0][4:8], jp[0][8:])],
    ['マイナンバー: ' + bump(x, 11) for x in jp])
sg = [sg_nric('S', '1234567'), sg_nric('T', '0212345'), sg_nric('F', '1234567'), sg_nric('G', '7654321')]
add('SG_NRIC_FIN', ['NRIC ' + x for x in sg], ['NRIC ' + x[:-1] + ('A' if x[-1] != 'A' else 'B') for x in sg])
add('MY_NRIC', ['MyKad: 900101-14-5678', 'No. KP 850615-10-1234', 'nric 000229-01-4321'],
    ['MyKad: 901301-14-5678', 'MyKad: 900101-00-5678', 'MyKad: 010229-01-4321'])
add('ID_NIK', ['NIK: 3171014506900003', 'KTP 3273010101850001'],
    ['NIK: 0071014506900003', 'NIK: 3171014513900003', 'NIK: 3171017506900003'])
th = [th_id('110370012345'), th_id('310060054321'), th_id('567891234567')]
add('TH_NATIONAL_ID', ['เลขประจำตัวประชาชน ' + x for x in th] + ['thai id %s-%s-%s-%s-%s' % (th[0][0], th[0][1:5], th[0][5:10], th[0][10:12], th[0][12])],
    ['เลขประจำตัวประชาชน ' + bump(x, 12) for x in th] + ['เลขประจำตัวประชาชน 9' + th[0][1:]])
add('PH_SSS_NUMBER', ['SSS No. 34-1234567-8'], ['34-1234567-8'])
add('PH_TIN', ['TIN: 123-456-789-000'], ['123-456-789-000'])
add('PH_PHILSYS_NUMBER', ['PhilSys PSN 1234-5678901-2', 'PhilID PCN 1234-5678-9012-3456'], ['1234-5678901-2'])
detax = []
for body in ['8609574271', '6513947285', '4782590134']:
    detax.append(body + mod11_10(body))
add('DE_TAX_ID', ['Steuer-ID: ' + x for x in detax], ['Steuer-ID: ' + bump(x, 10) for x in detax] + ['Steuer-ID: 11134567891', 'Steuer-ID: 01234567891'])
deid = [de_id_card('L01X00T47'), de_id_card('T22000129')]
add('DE_ID_CARD', ['Personalausweis ' + x for x in deid], ['Personalausweis ' + bump(x, 9) for x in deid])
devat = ['DE' + b + mod11_10(b) for b in ['13658545', '81234567']]
add('EU_VAT_NUMBER', ['VAT ' + x for x in devat] + ['VAT ATU12345678', 'BTW NL123456789B01'],
    ['VAT ' + bump(x, 8) for x in devat])
add('MEDICAL_RECORD_NUMBER', ['MRN: 00482913', '病历号：ZY2024001', 'Medical record number 7734-221'],
    ['MRN: none', 'order 00482913'])
add('DATE_OF_BIRTH', ['Date of birth: 1985-04-12', '出生日期：1990年5月20日', '생년월일: 1992.08.15', 'DOB 12/31/1975',
                      'Geburtsdatum: 03.10.1961'],
    ['Date of birth: 1985-02-30', 'Date of birth: 1985-13-01', 'meeting on 2024-05-01'])
add('TENCENTCLOUD_SECRET_ID', ['SecretId: AKID' + ''.join(rng.choice('abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789') for _ in range(32))],
    ['SecretId: AKID' + 'a' * 32, 'SecretId: AKID' + 'b' * 20])
add('AWS_ACCESS_KEY_ID', ['aws_access_key_id = AKIA' + ''.join(rng.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567') for _ in range(16))],
    ['aws_access_key_id = AKIAIOSFODNN7EXAMPLE', 'aws_access_key_id = AKIA' + 'Q' * 16])
add('PRIVATE_KEY', ['-----BEGIN RSA PRIVATE KEY-----', '-----BEGIN OPENSSH PRIVATE KEY-----', '-----BEGIN PRIVATE KEY-----'],
    ['-----BEGIN PUBLIC KEY-----', '-----BEGIN CERTIFICATE-----'])

def q(s):
    return "'" + s.replace("'", "''") + "'"

print('# Golden cases for the PII entities, generated by generate.py (synthetic values; see its docstring).')
print('# valid: each line must yield a finding of the entity at the default --min-score.')
print('# invalid: near misses (one digit changed, impossible dates, bad ranges); must yield no finding of the entity.')
print('cases:')
for entity, valid, invalid in cases:
    print('  - entity: ' + entity)
    print('    valid:')
    for v in valid: print('      - ' + q(v))
    print('    invalid:')
    for v in invalid: print('      - ' + q(v))
